/**
 * Request paths the gateway refuses to forward (400): an encoded slash or backslash (`%2F`, `%5C`),
 * a raw backslash, or a `.` or `..` segment, also percent-encoded (`%2e%2e`) or encoded again
 * (`%252e%252e`). The gateway matches the raw path against the API's path, but backends and the
 * frameworks in front of them decode and normalise paths each their own way (some decode `%2F`
 * before routing, some treat `\` as `/`, some decode twice), so `/files/..%2f..%2fadmin` could
 * reach what lies outside the API's service URL. No legitimate client needs any of these.
 */

/** More rounds than this is no path anyone writes, and bounds the work a hostile one can cause. */
const MAX_DECODES = 4;

/** Byte-wise percent-decoding: enough to see `/`, `\` and `.`, and never throws on bad UTF-8. */
function percentDecode(segment: string): string {
  return segment.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function unsafeSegment(raw: string): boolean {
  let segment = raw;
  for (let round = 0; ; round++) {
    if (segment === '.' || segment === '..' || segment.includes('\\')) return true;
    if (!segment.includes('%')) return false;
    const decoded = percentDecode(segment);
    if (decoded === segment) return false;
    if (decoded.includes('/')) return true;
    if (round === MAX_DECODES) return true;
    segment = decoded;
  }
}

/** Whether a raw request path (no query) may be forwarded. */
export function isSafePath(path: string): boolean {
  // The hot path: almost every request has none of the characters a problem needs.
  if (!path.includes('%') && !path.includes('\\') && !path.includes('.')) return true;
  return !path.split('/').some(unsafeSegment);
}
