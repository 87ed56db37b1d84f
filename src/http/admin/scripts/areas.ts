import { TEMPLATES_JS } from './templates.js';
import { POLICIES_JS } from './policies.js';
import { API_IMPORT_JS } from './api-import.js';
/** Each area's script, in page order; an area adds its own module here. */
export const AREA_JS: readonly string[] = [TEMPLATES_JS, POLICIES_JS, API_IMPORT_JS];
