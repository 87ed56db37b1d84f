import { TEMPLATES_JS } from './templates.js';
import { POLICIES_JS } from './policies.js';
/** Each area's script, in page order; an area adds its own module here. */
export const AREA_JS: readonly string[] = [TEMPLATES_JS, POLICIES_JS];
