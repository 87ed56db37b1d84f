/**
 * Azure Resource Manager conventions: resource ids echo the path the client used, envelopes are
 * `{id, type, name, properties}`, and optional properties are left out rather than sent as null.
 */
import type { GroupView, UserView } from '../../services/views.js';

export const PROVIDER_SEGMENT = '/providers/Microsoft.ApiManagement/service/';

export interface ServicePath {
  subscriptionId: string;
  resourceGroupName: string;
  serviceName: string;
}

export function serviceId(p: ServicePath): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}${PROVIDER_SEGMENT}${p.serviceName}`;
}

function groupProperties(g: GroupView) {
  return {
    displayName: g.displayName,
    ...(g.description !== null ? { description: g.description } : {}),
    builtIn: g.builtIn,
    type: g.type,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
  };
}

export function userProperties(u: UserView) {
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
  return {
    id: `${serviceId(p)}/users/${u.id}`,
    type: `Microsoft.ApiManagement/service/${type}`,
    name: u.id,
    properties: userProperties(u),
  };
}

export function groupResource(p: ServicePath, g: GroupView, ofUser?: string) {
  return {
    id: ofUser === undefined ? `${serviceId(p)}/groups/${g.id}` : `${serviceId(p)}/users/${ofUser}/groups/${g.id}`,
    type: ofUser === undefined ? 'Microsoft.ApiManagement/service/groups' : 'Microsoft.ApiManagement/service/users/groups',
    name: g.id,
    properties: groupProperties(g),
  };
}
