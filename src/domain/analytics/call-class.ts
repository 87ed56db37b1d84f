/**
 * How Azure API Management's reports count a call by the status the client got:
 * success up to 301 and 304, 307; blocked 401, 403, 429; failed 400 and 5xx; everything else
 * (302, 303, 404, 405, 408, 409, 0 when the client went away, ...) is "other".
 */
export type CallClass = 'success' | 'blocked' | 'failed' | 'other';

export function callClass(status: number): CallClass {
  if (status === 0) return 'other';
  if (status <= 301 || status === 304 || status === 307) return 'success';
  if (status === 401 || status === 403 || status === 429) return 'blocked';
  if (status === 400 || (status >= 500 && status <= 599)) return 'failed';
  return 'other';
}

/** The status class Prometheus labels use: '2xx' ... '5xx', or '0' for a client that went away. */
export function statusClass(status: number): '0' | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  if (status >= 200) return '2xx';
  if (status >= 100) return '1xx';
  return '0';
}
