/**
 * Row types of every table, as Kysely sees them. One schema for SQLite and PostgreSQL: text for
 * strings and ISO-8601 timestamps (fixed width, so text order is time order), integer 0/1 for
 * booleans, JSON as text.
 */
import type { ColumnType, Generated } from 'kysely';
import type { UserState } from '../domain/user.js';
import type { GroupType } from '../domain/group.js';
import type { SubscriptionState } from '../domain/subscription.js';

export interface UsersTable {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  /** normalizeEmail(email): what uniqueness and `$filter` on email compare. */
  email_lc: string;
  state: UserState;
  note: string | null;
  registration_date: string;
  /** argon2id hash; null means nobody can sign in until a password is set. */
  password_hash: string | null;
  etag: string;
  updated_at: string;
}

export interface UserIdentitiesTable {
  user_id: string;
  provider: string;
  provider_id: string;
  position: number;
}

export interface GroupsTable {
  id: string;
  display_name: string;
  description: string | null;
  type: GroupType;
  external_id: string | null;
  built_in: number;
  etag: string;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  created_at: string;
}

export type OutboxState = 'pending' | 'sent' | 'dead';

/** Email waiting to be sent; written in the same transaction as the change that causes it. */
export interface OutboxTable {
  id: string;
  template: string;
  user_id: string | null;
  recipient: string;
  /** JSON object of template parameters. Never holds passwords. */
  params: string;
  state: OutboxState;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string;
  sent_at: string | null;
  /** While in the future, a delivery worker owns the message. */
  lease_until: string | null;
  /** What the SMTP server said when it accepted the message. */
  smtp_response: string | null;
}

/** Edited templates; a template without a row is the built-in default. */
export interface EmailTemplatesTable {
  name: string;
  subject: string;
  body: string;
  title: string | null;
  description: string | null;
  etag: string;
  updated_at: string;
}

/** `sso` rows only record single-sign-on tokens already used (those tokens are signed, not stored). */
export type TokenPurpose = 'invitation' | 'signup' | 'password-reset' | 'email-change' | 'sso' | 'admin-setup';

/** Single-use tokens behind email links; only a SHA-256 of the token is stored. */
export interface TokensTable {
  id: string;
  user_id: string;
  purpose: TokenPurpose;
  token_hash: string;
  /** JSON, e.g. the new address of an email change. */
  data: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  retired_at: string | null;
}

/** Server-side portal sessions; the cookie holds the id, the table only its SHA-256. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_secret: string;
  created_at: string;
  last_seen_at: string;
  /** The absolute end of the session, whatever its activity. */
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** Which site the session signs in to. */
  scope: SessionScope;
}

/** The developer portal, or the admin UI (administrators only). */
export type SessionScope = 'portal' | 'admin';

/** Failed sign-ins per account (`account:<email>`) and per client address (`ip:<address>`). */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

/** Who did what to which account, when and from where. Never passwords, tokens or keys. */
export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  user_id: string | null;
  ip: string | null;
  /** JSON object with details of the action. */
  detail: string | null;
}

export interface ManagementKeysTable {
  id: string;
  name: string;
  /** hex SHA-256 of the key's secret part; the secret itself is never stored. */
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** Instance-wide secrets and settings that are generated once (e.g. signing keys). */
export interface ServiceSettingsTable {
  name: string;
  value: string;
}

export interface ApisTable {
  id: string;
  display_name: string;
  description: string | null;
  /** Where the API lives on the gateway: requests to /{path}/... reach it. Unique. */
  path: string;
  service_url: string | null;
  /** JSON array of 'http' | 'https' | 'ws' | 'wss'. */
  protocols: string;
  subscription_required: number;
  key_header: string;
  key_query: string;
  api_type: string;
  etag: string;
  created_at: string;
}

export interface ApiOperationsTable {
  api_id: string;
  id: string;
  display_name: string;
  method: string;
  url_template: string;
  description: string | null;
  /** JSON array of Azure's templateParameters, kept as given. */
  template_parameters: string | null;
  /** JSON of Azure's operation request description (0010); null when there is none. Optional on insert. */
  request: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON array of Azure's operation responses (0010); null when there are none. */
  responses: ColumnType<string | null, string | null | undefined, string | null>;
  etag: string;
}

/** Migration 0011: the schemas of an API (documentation only; the gateway does not read them). */
export interface ApiSchemasTable {
  api_id: string;
  id: string;
  content_type: string;
  /** JSON text of the SchemaContract's document: {components}, {definitions} or {value}. */
  document: string;
  /** 1: the schema an OpenAPI import keeps (replaced by the next import under the same id); 0: PUT by a client. */
  imported: number;
  etag: string;
}

export interface ProductsTable {
  id: string;
  display_name: string;
  description: string | null;
  terms: string | null;
  subscription_required: number;
  approval_required: number;
  subscriptions_limit: number | null;
  state: 'notPublished' | 'published';
  etag: string;
  created_at: string;
}

export interface ProductApisTable {
  product_id: string;
  api_id: string;
}

export interface ProductGroupsTable {
  product_id: string;
  group_id: string;
}


export interface SubscriptionsTable {
  id: string;
  owner_id: string | null;
  scope: string;
  display_name: string | null;
  state: SubscriptionState;
  state_comment: string | null;
  allow_tracing: number | null;
  created_at: string;
  start_date: string | null;
  expiration_date: string | null;
  end_date: string | null;
  notification_date: string | null;
  primary_key_sealed: string;
  secondary_key_sealed: string;
  primary_key_lookup: string;
  secondary_key_lookup: string;
  etag: string;
}

export interface ChangeFeedTable {
  seq: Generated<number>;
  at: string;
  /** 'api' | 'product' | 'subscription' | 'user' | ... : what the gateway must reload. */
  entity: string;
  entity_id: string;
}

export type PolicyScopeKind = 'global' | 'product' | 'api' | 'operation';

export interface PoliciesTable {
  /** '/', '/products/{id}', '/apis/{id}' or '/apis/{id}/operations/{op}'. */
  scope_key: string;
  scope: PolicyScopeKind;
  product_id: string | null;
  api_id: string | null;
  operation_id: string | null;
  /** As written (format xml), `{{named values}}` unresolved. */
  xml: string;
  etag: string;
  updated_at: string;
}

export interface NamedValuesTable {
  id: string;
  display_name: string;
  display_name_lower: string;
  /** Sealed (src/domain/secrets.ts) when `secret` is 1. */
  value: string;
  secret: number;
  /** JSON array of strings. */
  tags: string;
  etag: string;
  created_at: string;
}

export interface QuotaCountersTable {
  counter_key: string;
  period_start: string;
  period_end: string | null;
  calls: number;
  kilobytes: number;
  updated_at: string;
}

/** One minute of one (API, operation, product, subscription, user) as the gateways counted it. latency_0..13: the histogram (domain/analytics/latency.ts). */
export interface TrafficMinutesTable {
  minute: number;
  api_id: string;
  operation_id: string;
  product_id: string;
  subscription_id: string;
  user_id: string;
  calls_success: number;
  calls_blocked: number;
  calls_failed: number;
  calls_other: number;
  calls_total: number;
  bandwidth: number;
  api_time_sum: number;
  api_time_min: number;
  api_time_max: number;
  service_calls: number;
  service_time_sum: number;
  service_time_min: number;
  service_time_max: number;
  latency_0: number;
  latency_1: number;
  latency_2: number;
  latency_3: number;
  latency_4: number;
  latency_5: number;
  latency_6: number;
  latency_7: number;
  latency_8: number;
  latency_9: number;
  latency_10: number;
  latency_11: number;
  latency_12: number;
  latency_13: number;
}

export interface TrafficStatusesTable {
  minute: number;
  api_id: string;
  status: number;
  calls: number;
}

export interface TrafficRequestsTable {
  id: Generated<number>;
  at: number;
  request_id: string;
  method: string;
  url: string;
  ip: string;
  api_id: string;
  operation_id: string;
  product_id: string;
  subscription_id: string;
  user_id: string;
  response_code: number;
  backend_response_code: number;
  request_size: number;
  response_size: number;
  api_time: number;
  service_time: number;
}

export interface Database {
  users: UsersTable;
  user_identities: UserIdentitiesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  outbox: OutboxTable;
  management_keys: ManagementKeysTable;
  service_settings: ServiceSettingsTable;
  email_templates: EmailTemplatesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  sign_in_throttle: SignInThrottleTable;
  audit_log: AuditLogTable;
  apis: ApisTable;
  api_operations: ApiOperationsTable;
  api_schemas: ApiSchemasTable;
  products: ProductsTable;
  product_apis: ProductApisTable;
  product_groups: ProductGroupsTable;
  subscriptions: SubscriptionsTable;
  change_feed: ChangeFeedTable;
  policies: PoliciesTable;
  named_values: NamedValuesTable;
  quota_counters: QuotaCountersTable;
  traffic_minutes: TrafficMinutesTable;
  traffic_statuses: TrafficStatusesTable;
  /** Rollups of the two above: `minute` holds the start of the hour or the UTC day. */
  traffic_hours: TrafficMinutesTable;
  traffic_days: TrafficMinutesTable;
  traffic_statuses_hours: TrafficStatusesTable;
  traffic_statuses_days: TrafficStatusesTable;
  traffic_requests: TrafficRequestsTable;
}
