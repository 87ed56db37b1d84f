/**
 * Every resource of the management API as Azure Resource Manager renders it: ids echo the path the
 * client used, envelopes are `{id, type, name, properties}`, and optional properties are left out
 * rather than sent as null. The one place a view becomes a wire shape; route files only call these.
 */
import { API_REVISION } from '../../domain/api-input.js';
import type { ApiSchemaView } from '../../services/api-schemas.js';
import type { EmailTemplateView } from '../../services/email-templates.js';
import type { NamedValueView } from '../../services/named-values.js';
import { policyValue, type PolicyTarget, type PolicyView } from '../../services/policies.js';
import type { QuotaPeriodView } from '../../services/quotas.js';
import type { ProductLinkView } from '../../services/products.js';
import type { SubscriptionView } from '../../services/subscriptions/views.js';
import type { ApiOperationView, ApiView, GroupView, ProductView, UserView } from '../../services/views.js';

export const PROVIDER_SEGMENT = '/providers/Microsoft.ApiManagement/service/';
const TYPE = 'Microsoft.ApiManagement/service';

export interface ServicePath {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
}

export function serviceId(p: ServicePath): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}${PROVIDER_SEGMENT}${p.serviceName}`;
}

// ---------------------------------------------------------------------------------------------
// Users and groups

function groupProperties(g: GroupView) {
  return {
    displayName: g.displayName,
    ...(g.description !== null ? { description: g.description } : {}),
    builtIn: g.builtIn,
    type: g.type,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
  };
}

function userProperties(u: UserView) {
  return {
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    state: u.state,
    registrationDate: u.registrationDate,
    ...(u.note !== null ? { note: u.note } : {}),
    ...(u.groups ? { groups: u.groups.map(groupProperties) } : {}),
    identities: u.identities.map((i) => ({ provider: i.provider, id: i.id })),
  };
}

export type UserResourceType = 'users' | 'groups/users';

export function userResource(p: ServicePath, u: UserView, type: UserResourceType = 'users') {
  return { id: `${serviceId(p)}/users/${u.id}`, type: `${TYPE}/${type}`, name: u.id, properties: userProperties(u) };
}

export function groupResource(p: ServicePath, g: GroupView, ofUser?: string) {
  return {
    id: ofUser === undefined ? `${serviceId(p)}/groups/${g.id}` : `${serviceId(p)}/users/${ofUser}/groups/${g.id}`,
    type: ofUser === undefined ? `${TYPE}/groups` : `${TYPE}/users/groups`,
    name: g.id,
    properties: groupProperties(g),
  };
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

function subscriptionProperties(p: ServicePath, s: SubscriptionView) {
  const svc = serviceId(p);
  return {
    ...(s.ownerId !== null ? { ownerId: `${svc}/users/${s.ownerId}` } : {}),
    scope: `${svc}${s.scope}`,
    ...(s.displayName !== null ? { displayName: s.displayName } : {}),
    state: s.state,
    createdDate: s.createdDate,
    ...(s.startDate !== null ? { startDate: s.startDate } : {}),
    ...(s.expirationDate !== null ? { expirationDate: s.expirationDate } : {}),
    ...(s.endDate !== null ? { endDate: s.endDate } : {}),
    ...(s.notificationDate !== null ? { notificationDate: s.notificationDate } : {}),
    ...(s.stateComment !== null ? { stateComment: s.stateComment } : {}),
    ...(s.allowTracing !== null ? { allowTracing: s.allowTracing } : {}),
  };
}

/**
 * A subscription: `{svc}/subscriptions/{sid}`, or under its owner (`{svc}/users/{uid}/subscriptions/{sid}`,
 * UserSubscription_*) or its product (`{svc}/products/{pid}/subscriptions/{sid}`, ProductSubscriptions_List).
 */
export function subscriptionResource(p: ServicePath, s: SubscriptionView, under?: { user: string } | { product: string }) {
  const parent = under === undefined ? '' : 'user' in under ? `/users/${under.user}` : `/products/${under.product}`;
  const parentType = under === undefined ? '' : 'user' in under ? '/users' : '/products';
  return {
    id: `${serviceId(p)}${parent}/subscriptions/${s.id}`,
    type: `${TYPE}${parentType}/subscriptions`,
    name: s.id,
    properties: subscriptionProperties(p, s),
  };
}

// ---------------------------------------------------------------------------------------------
// Products

const PRODUCT_TYPE = `${TYPE}/products`;

/** A product's properties as Azure renders them, wherever a product appears (also under /apis/{id}/products). */
function productProperties(product: ProductView) {
  return {
    displayName: product.displayName,
    ...(product.description !== null ? { description: product.description } : {}),
    ...(product.terms !== null ? { terms: product.terms } : {}),
    subscriptionRequired: product.subscriptionRequired,
    // Only meaningful for a product that needs subscriptions, as Azure sends them.
    ...(product.subscriptionRequired ? { approvalRequired: product.approvalRequired } : {}),
    ...(product.subscriptionRequired && product.subscriptionsLimit !== null ? { subscriptionsLimit: product.subscriptionsLimit } : {}),
    state: product.state,
    ...(product.groups ? { groups: product.groups.map(groupProperties) } : {}),
  };
}

/** A product; `underApi` renders it as ApiProduct_ListByApis lists it. */
export function productResource(p: ServicePath, product: ProductView, underApi = false) {
  return {
    id: `${serviceId(p)}/products/${product.id}`,
    type: underApi ? `${TYPE}/apis/products` : PRODUCT_TYPE,
    name: product.id,
    properties: productProperties(product),
  };
}

/** As Azure's ProductGroup_CreateOrUpdate example: the group's own id, with the product-group type. */
export function productGroupResource(p: ServicePath, group: GroupView) {
  return { ...groupResource(p, group), type: `${PRODUCT_TYPE}/groups` };
}

export function apiLinkResource(p: ServicePath, productId: string, link: ProductLinkView) {
  return {
    id: `${serviceId(p)}/products/${productId}/apiLinks/${link.linkId}`,
    type: `${PRODUCT_TYPE}/apiLinks`,
    name: link.linkId,
    properties: { apiId: `${serviceId(p)}/apis/${link.targetId}` },
  };
}

export function groupLinkResource(p: ServicePath, productId: string, link: ProductLinkView) {
  return {
    id: `${serviceId(p)}/products/${productId}/groupLinks/${link.linkId}`,
    type: `${PRODUCT_TYPE}/groupLinks`,
    name: link.linkId,
    properties: { groupId: `${serviceId(p)}/groups/${link.targetId}` },
  };
}

// ---------------------------------------------------------------------------------------------
// APIs and operations

/** An API's properties; `isOnline` only where Azure's API resource has it (not in a product's list). */
function apiProperties(a: ApiView, online: boolean) {
  return {
    displayName: a.displayName,
    apiRevision: API_REVISION,
    ...(a.description !== null ? { description: a.description } : {}),
    subscriptionRequired: a.subscriptionRequired,
    ...(a.serviceUrl !== null ? { serviceUrl: a.serviceUrl } : {}),
    path: a.path,
    protocols: a.protocols,
    subscriptionKeyParameterNames: { ...a.subscriptionKeyParameterNames },
    type: a.type,
    isCurrent: true,
    ...(online ? { isOnline: true } : {}),
  };
}

/**
 * An API. `written`: the answer to a PUT, which is finished when it answers (provisioningState
 * Succeeded tells a long-running-operation client not to poll).
 */
export function apiResource(p: ServicePath, a: ApiView, written = false) {
  return {
    id: `${serviceId(p)}/apis/${a.id}`,
    type: `${TYPE}/apis`,
    name: a.id,
    properties: written ? { ...apiProperties(a, true), provisioningState: 'Succeeded' } : apiProperties(a, true),
  };
}

/** An API as ProductApi_ListByProduct lists it. */
export function productApiResource(p: ServicePath, a: ApiView) {
  return { id: `${serviceId(p)}/apis/${a.id}`, type: `${PRODUCT_TYPE}/apis`, name: a.id, properties: apiProperties(a, false) };
}

export function apiOperationResource(p: ServicePath, o: ApiOperationView) {
  return {
    id: `${serviceId(p)}/apis/${o.apiId}/operations/${o.id}`,
    type: `${TYPE}/apis/operations`,
    name: o.id,
    properties: {
      displayName: o.displayName,
      method: o.method,
      urlTemplate: o.urlTemplate,
      templateParameters: o.templateParameters,
      ...(o.description !== null ? { description: o.description } : {}),
      ...(o.request !== null ? { request: o.request } : {}),
      ...(o.responses !== null ? { responses: o.responses } : {}),
    },
  };
}

/** An API's schema (SchemaContract); `written` after a PUT, which Azure answers with provisioningState. */
export function apiSchemaResource(p: ServicePath, s: ApiSchemaView, written = false) {
  return {
    id: `${serviceId(p)}/apis/${s.apiId}/schemas/${s.id}`,
    type: `${TYPE}/apis/schemas`,
    name: s.id,
    properties: { contentType: s.contentType, document: s.document, ...(written ? { provisioningState: 'Succeeded' } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------
// Email templates

export function templateResource(p: ServicePath, t: EmailTemplateView) {
  return {
    id: `${serviceId(p)}/templates/${t.displayName}`,
    type: `${TYPE}/templates`,
    name: t.displayName,
    properties: {
      subject: t.subject,
      body: t.body,
      title: t.title,
      description: t.description,
      isDefault: t.isDefault,
      parameters: t.parameters.map((x) => ({ name: x.name, title: x.title, ...(x.description ? { description: x.description } : {}) })),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Named values

/** A named value; `written`: the answer to a PUT or PATCH, finished when it answers (provisioningState Succeeded tells a poller so). */
export function namedValueResource(p: ServicePath, n: NamedValueView, written = false) {
  return {
    id: `${serviceId(p)}/namedValues/${n.id}`,
    type: `${TYPE}/namedValues`,
    name: n.id,
    properties: {
      displayName: n.displayName,
      ...(n.value !== undefined ? { value: n.value } : {}),
      tags: n.tags,
      secret: n.secret,
      ...(written ? { provisioningState: 'Succeeded' } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Policies

/** Where a policy resource hangs, in ARM terms: its parent's path and the type segment. */
function policyParent(p: ServicePath, target: PolicyTarget): { path: string; type: string } {
  const svc = serviceId(p);
  switch (target.scope) {
    case 'global':
      return { path: svc, type: TYPE };
    case 'product':
      return { path: `${svc}/products/${target.productId}`, type: `${TYPE}/products` };
    case 'api':
      return { path: `${svc}/apis/${target.apiId}`, type: `${TYPE}/apis` };
    case 'operation':
      return { path: `${svc}/apis/${target.apiId}/operations/${target.operationId}`, type: `${TYPE}/apis/operations` };
  }
}

/**
 * A policy (PolicyContract). As in Azure's 2024-05-01 examples, `format` is sent only for `rawxml`
 * (the value then with its expressions decoded); an `xml` value goes without it.
 */
export function policyResource(p: ServicePath, policy: PolicyView, format: 'xml' | 'rawxml' = 'xml') {
  const parent = policyParent(p, policy.target);
  return {
    id: `${parent.path}/policies/policy`,
    type: `${parent.type}/policies`,
    name: 'policy',
    properties: { ...(format === 'rawxml' ? { format } : {}), value: policyValue(policy, format) },
  };
}

// ---------------------------------------------------------------------------------------------
// Quota counters

/** QuotaCounterContract: not an ARM resource (no id, type or name). */
export function quotaCounter(v: QuotaPeriodView) {
  return {
    counterKey: v.counterKey,
    periodKey: v.periodKey,
    periodStartTime: v.periodStartTime,
    periodEndTime: v.periodEndTime,
    value: { callsCount: v.callsCount, kbTransferred: v.kbTransferred },
  };
}

/** QuotaCounterCollection: every period of a key fits one page. */
export function quotaCounterCollection(items: readonly QuotaPeriodView[]) {
  return { value: items.map(quotaCounter), count: items.length, nextLink: '' };
}
