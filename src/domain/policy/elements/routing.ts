/**
 * Where a call goes: `rewrite-uri`, `set-backend-service` (`base-url` only: Tollgate has no backend
 * entities) and `forward-request`.
 */
import type { ElementReader } from '../reader.js';
import { ALL_SCOPES, rule } from './rule.js';

/** Azure's default `forward-request` timeout. */
export const FORWARD_TIMEOUT_DEFAULT = 300;

/** `{name}` parameters, braces balanced, so that the gateway never meets a template it cannot fill. */
function template(r: ElementReader): string {
  const value = r.string('template', { required: true });
  if (!r.has('template')) return value;
  if (value.trim() === '') r.problem(`The attribute 'template' must not be empty.`);
  const outside = value.replace(/\{[^{}]*\}/g, (param) => {
    if (!/^\{[A-Za-z0-9_.-]+\}$/.test(param)) r.problem(`The template parameter '${param}' is not a name in braces.`);
    return '';
  });
  if (/[{}]/.test(outside)) r.problem(`The template '${value}' has unbalanced braces.`);
  return value;
}

function absoluteHttpUrl(r: ElementReader, attribute: string): string {
  const value = r.string(attribute, { required: true });
  if (!r.has(attribute)) return value;
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    r.problem(`The attribute '${attribute}' must be an absolute http or https URL, not '${value}'.`);
  return value.trim();
}

export const ROUTING_RULES = [
  rule({
    name: 'rewrite-uri',
    sections: ['inbound'],
    scopes: ALL_SCOPES,
    read: (r) => ({ kind: 'rewrite-uri', at: r.at, template: template(r), copyUnmatchedParams: r.bool('copy-unmatched-params', true) }),
  }),
  rule({
    name: 'set-backend-service',
    sections: ['inbound', 'backend'],
    scopes: ALL_SCOPES,
    azureOnly: ['backend-id', 'sf-resolve-condition', 'sf-service-instance-name', 'sf-partition-key', 'sf-listener-name', 'dapr-app-id', 'dapr-method', 'dapr-namespace'],
    read: (r) => ({ kind: 'set-backend-service', at: r.at, baseUrl: absoluteHttpUrl(r, 'base-url') }),
  }),
  rule({
    name: 'forward-request',
    sections: ['backend'],
    scopes: ALL_SCOPES,
    azureOnly: ['timeout-ms', 'continue-timeout', 'http-version', 'follow-redirects', 'buffer-request-body', 'buffer-response', 'fail-on-error-status-code'],
    read: (r) => ({ kind: 'forward-request', at: r.at, timeoutSeconds: r.int('timeout', { min: 1, fallback: FORWARD_TIMEOUT_DEFAULT }) }),
  }),
];
