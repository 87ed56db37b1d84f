/**
 * ip-filter: the caller's address (IPv4 or IPv6; an IPv4-mapped IPv6 address counts as its IPv4)
 * against single addresses and ranges, compared as numbers. `allow` lets through only what
 * matches, `forbid` refuses what matches; a refusal is Azure's 403 `Forbidden`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { IpFilterElement } from '../../domain/policy/types.js';
import { MESSAGES } from '../responses.js';
import { clientIp, jsonAnswer, type Step } from './exchange.js';
import { PolicyCompileError } from './types.js';

interface Address {
  family: 4 | 6;
  n: bigint;
}

function v4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function v6(text: string): bigint {
  let s = text;
  let tail: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 address takes the last two groups.
    tail = v4(s.slice(lastColon + 1));
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = s.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  let n = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tail !== undefined) n = (n & ~0xffffffffn) | tail;
  return n;
}

/** An address as a number; undefined for text that is not one. IPv4-mapped IPv6 becomes IPv4. */
export function parseAddress(raw: string): Address | undefined {
  const text = raw.trim().replace(/%.*$/, '');
  if (isIPv4(text)) return { family: 4, n: v4(text) };
  if (!isIPv6(text)) return undefined;
  const n = v6(text.toLowerCase());
  if (n >> 32n === 0xffffn) return { family: 4, n: n & 0xffffffffn };
  return { family: 6, n };
}

function required(text: string, line: number): Address {
  const a = parseAddress(text);
  if (!a) throw new PolicyCompileError(`ip-filter (line ${line}): '${text}' is not an IP address`);
  return a;
}

export function compileIpFilter(e: IpFilterElement): Step {
  const ranges = [
    ...e.addresses.map((t) => {
      const a = required(t, e.at.line);
      return { family: a.family, from: a.n, to: a.n };
    }),
    ...e.ranges.map((r) => {
      const from = required(r.from, e.at.line);
      const to = required(r.to, e.at.line);
      if (from.family !== to.family) throw new PolicyCompileError(`ip-filter (line ${e.at.line}): a range from ${r.from} to ${r.to} mixes IPv4 and IPv6`);
      return { family: from.family, from: from.n < to.n ? from.n : to.n, to: from.n < to.n ? to.n : from.n };
    }),
  ];
  const allow = e.action === 'allow';
  return (x) => {
    const caller = parseAddress(clientIp(x.req));
    const matched = caller !== undefined && ranges.some((r) => r.family === caller.family && caller.n >= r.from && caller.n <= r.to);
    return matched === allow ? undefined : jsonAnswer(403, MESSAGES.forbidden, 'CallerIpNotAllowed');
  };
}
