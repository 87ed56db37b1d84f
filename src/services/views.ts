/** What the use cases return: plain data, rendered by each face (management API, admin UI, portal). */
import { API_PROTOCOLS, API_TYPE, type ApiProtocol, type TemplateParameter } from '../domain/api-input.js';
import type { GroupType } from '../domain/group.js';
import type { ProductState } from '../domain/product-input.js';
import type { UserIdentity, UserState } from '../domain/user.js';
import type { ApiOperationRow, ApiRow } from '../store/apis-repo.js';
import type { GroupRow } from '../store/groups-repo.js';
import type { ProductRow } from '../store/products-repo.js';
import type { UserRow } from '../store/users-repo.js';

export interface GroupView {
  id: string;
  displayName: string;
  description: string | null;
  builtIn: boolean;
  type: GroupType;
  externalId: string | null;
  etag: string;
}

export interface UserView {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  state: UserState;
  note: string | null;
  registrationDate: string;
  identities: UserIdentity[];
  /** Present when asked for (GET, writes, or lists with expandGroups). */
  groups?: GroupView[];
  etag: string;
}

export interface Page<T> {
  items: T[];
  /** Matches across all pages. */
  count: number;
}

export interface PageRequest {
  filter?: string | undefined;
  top: number;
  skip: number;
}

export function groupView(row: GroupRow): GroupView {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    builtIn: row.built_in === 1,
    type: row.type,
    externalId: row.external_id,
    etag: row.etag,
  };
}

export function userView(row: UserRow, identities: UserIdentity[], groups?: GroupRow[]): UserView {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    state: row.state,
    note: row.note,
    registrationDate: row.registration_date,
    identities,
    ...(groups ? { groups: groups.map(groupView) } : {}),
    etag: row.etag,
  };
}

export interface ProductView {
  id: string;
  displayName: string;
  description: string | null;
  terms: string | null;
  subscriptionRequired: boolean;
  approvalRequired: boolean;
  /** null = unlimited subscriptions per user. */
  subscriptionsLimit: number | null;
  state: ProductState;
  /** Present when asked for (lists with expandGroups). */
  groups?: GroupView[];
  etag: string;
}

export function productView(row: ProductRow, groups?: GroupRow[]): ProductView {
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    terms: row.terms,
    subscriptionRequired: row.subscription_required === 1,
    approvalRequired: row.approval_required === 1,
    subscriptionsLimit: row.subscriptions_limit === null ? null : Number(row.subscriptions_limit),
    state: row.state,
    ...(groups ? { groups: groups.map(groupView) } : {}),
    etag: row.etag,
  };
}

export interface ApiView {
  id: string;
  displayName: string;
  description: string | null;
  /** Without leading or trailing slash; '' is the gateway's root. */
  path: string;
  serviceUrl: string | null;
  protocols: ApiProtocol[];
  subscriptionRequired: boolean;
  subscriptionKeyParameterNames: { header: string; query: string };
  type: typeof API_TYPE;
  etag: string;
}

export interface ApiOperationView {
  apiId: string;
  id: string;
  displayName: string;
  /** Upper-case. */
  method: string;
  urlTemplate: string;
  description: string | null;
  templateParameters: TemplateParameter[];
  /** Azure's request description (queryParameters, headers, representations), null when none. */
  request: Record<string, unknown> | null;
  /** Azure's responses, null when none were given. */
  responses: unknown[] | null;
  etag: string;
}

export interface ApiWithOperations extends ApiView {
  operations: ApiOperationView[];
}

export function parseJsonArray(json: string | null): unknown[] {
  if (json === null) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function parseJsonObject(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function apiView(row: ApiRow): ApiView {
  const stored = parseJsonArray(row.protocols);
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    path: row.path,
    serviceUrl: row.service_url,
    protocols: API_PROTOCOLS.filter((p) => stored.includes(p)),
    subscriptionRequired: row.subscription_required === 1,
    subscriptionKeyParameterNames: { header: row.key_header, query: row.key_query },
    type: API_TYPE,
    etag: row.etag,
  };
}

export function apiOperationView(row: ApiOperationRow): ApiOperationView {
  return {
    apiId: row.api_id,
    id: row.id,
    displayName: row.display_name,
    method: row.method,
    urlTemplate: row.url_template,
    description: row.description,
    templateParameters: parseJsonArray(row.template_parameters) as TemplateParameter[],
    request: parseJsonObject(row.request),
    responses: row.responses === null ? null : parseJsonArray(row.responses),
    etag: row.etag,
  };
}
