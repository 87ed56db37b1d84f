/** Each area's extra rules; an area adds its own module here. */
export const AREA_CSS: readonly string[] = [];
