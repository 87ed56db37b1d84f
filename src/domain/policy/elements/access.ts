/**
 * Who may call: `ip-filter` (addresses and ranges, normalised so that the gateway compares
 * strings or numbers, never parses) and `check-header`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isExpression } from '../expressions.js';
import type { ElementReader } from '../reader.js';
import { readHeaderName } from './headers.js';
import { ALL_SCOPES, rule } from './rule.js';

/** IPv6 in full lower-case form (eight groups of four digits), an embedded IPv4 tail turned into two groups. */
export function expandIpv6(address: string): string {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/** An address as the gateway compares it, or undefined when it is not an IPv4 or IPv6 address. */
export function normaliseAddress(text: string): string | undefined {
  const t = text.trim();
  if (isIPv4(t)) return t;
  if (isIPv6(t) && !t.includes('%')) return expandIpv6(t);
  return undefined;
}

function addressValue(address: string): bigint {
  if (address.includes(':')) return BigInt(`0x${address.replaceAll(':', '')}`);
  return address.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n);
}

function address(r: ElementReader, text: string | undefined, what: string): string {
  if (text === undefined) return '';
  const normal = normaliseAddress(text);
  if (normal === undefined) r.problem(`${what} '${text.trim()}' is not an IPv4 or IPv6 address.`);
  return normal ?? '';
}

function rangeEnd(r: ElementReader, attribute: 'from' | 'to'): string {
  if (r.has(attribute)) return address(r, r.string(attribute), `The range's '${attribute}'`);
  r.problem(`The attribute '${attribute}' is required.`);
  return '';
}

export const ACCESS_RULES = [
  rule({
    name: 'ip-filter',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    azureOnly: ['header-name'],
    read: (r) => {
      const action = r.choice('action', ['allow', 'forbid'] as const);
      const addresses: string[] = [];
      const ranges: { from: string; to: string }[] = [];
      r.children({
        address: (a) => addresses.push(address(a, a.text(), 'The address')),
        'address-range': (a) => {
          const from = rangeEnd(a, 'from');
          const to = rangeEnd(a, 'to');
          if (from !== '' && to !== '') {
            if (from.includes(':') !== to.includes(':')) a.problem(`A range's 'from' and 'to' must both be IPv4 or both IPv6.`);
            else if (addressValue(from) > addressValue(to)) a.problem(`A range's 'from' must not be above its 'to'.`);
          }
          ranges.push({ from, to });
        },
      });
      if (r.element.children.length === 0) r.problem(`<ip-filter> needs at least one <address> or <address-range>.`);
      return { kind: 'ip-filter', at: r.at, action, addresses, ranges };
    },
  }),
  rule({
    name: 'check-header',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    read: (r) => {
      const name = readHeaderName(r, 'name');
      if (name === undefined && !r.has('name')) r.problem(`The attribute 'name' is required.`);
      // Azure requires it although it has an obvious default.
      if (!r.has('ignore-case')) r.problem(`The attribute 'ignore-case' is required.`);
      const values: string[] = [];
      r.children({
        value: (v) => {
          const text = v.text();
          if (isExpression(text)) v.problem('Policy expressions are not supported in a <value> of <check-header>; write the value literally.');
          values.push(text.trim());
        },
      });
      return {
        kind: 'check-header',
        at: r.at,
        name: (name ?? '').toLowerCase(),
        failedCheckHttpCode: r.int('failed-check-httpcode', { min: 100, max: 599 }),
        failedCheckErrorMessage: r.string('failed-check-error-message', { required: true }),
        ignoreCase: r.bool('ignore-case', false),
        values,
      };
    },
  }),
];
