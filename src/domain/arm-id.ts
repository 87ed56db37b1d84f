/**
 * Azure Resource Manager ids as clients send them. A resource of this service is named either by
 * its full id (`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}/products/starter`)
 * or by the part after the service (`/products/starter`); Tollgate stores and compares the relative
 * part. This is the one place that reads them.
 */

/** `/providers/Microsoft.ApiManagement/service/{name}`: what ends the service's part of an id. */
const SERVICE_MARKER = /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+/i;

/**
 * The part of an ARM id after `.../service/{name}`: `/products/starter`, or `/` for the service
 * itself. A value without the service's part is taken as relative already and returned as it is.
 */
export function serviceRelativeId(raw: string): string {
  const marker = SERVICE_MARKER.exec(raw);
  if (!marker) return raw;
  const rest = raw.slice(marker.index + marker[0].length);
  return rest === '' ? '/' : rest;
}

/** Whether the value holds the service's part (a full ARM id, as opposed to a relative or bare one). */
export function isFullArmId(raw: string): boolean {
  return SERVICE_MARKER.test(raw);
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The id of an entity of `collection` named by a full or relative ARM id (`/users/jane` → `jane`),
 * percent-decoded; with `bare`, a value without any `/` is the id itself. Undefined when the value
 * names anything else (another collection, a child resource, bad percent-encoding).
 */
export function entityIdOf(raw: string, collection: string, options: { bare?: boolean } = {}): string | undefined {
  if (options.bare && !raw.includes('/')) return raw === '' ? undefined : raw;
  const relative = serviceRelativeId(raw);
  const prefix = `/${collection.toLowerCase()}/`;
  if (!relative.toLowerCase().startsWith(prefix)) return undefined;
  const segment = relative.slice(prefix.length).replace(/\/$/, '');
  if (segment === '' || segment.includes('/')) return undefined;
  return decodeSegment(segment);
}
