/** Each area's script, in page order; an area adds its own module here. */
export const AREA_JS: readonly string[] = [];
