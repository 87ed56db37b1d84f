import { TEMPLATES_OUTBOX_AUDIT_CSS } from './templates-outbox-audit.js';
import { USERS_DETAIL_CSS } from './users-detail.js';
import { SUBSCRIPTIONS_KEYS_CSS } from './subscriptions-keys.js';
import { USERS_LIST_CSS } from './users-list.js';
import { GROUPS_CATALOG_CSS } from './groups-catalog.js';
import { POLICIES_CSS } from './policies.js';
import { ANALYTICS_CSS } from './analytics.js';
import { API_IMPORT_CSS } from './api-import.js';
/** Each area's extra rules; an area adds its own module here. */
export const AREA_CSS: readonly string[] = [
  USERS_LIST_CSS,
  SUBSCRIPTIONS_KEYS_CSS,
  USERS_DETAIL_CSS,
  GROUPS_CATALOG_CSS,
  TEMPLATES_OUTBOX_AUDIT_CSS,
  POLICIES_CSS,
  ANALYTICS_CSS,
  API_IMPORT_CSS,
];
