/**
 * Report records as Azure's ReportRecordContract and RequestReportRecordContract shape them: ids as
 * paths relative to the service (`/apis/echo`, `/apis/echo/operations/get`, `/users/1`), each report
 * with the ids of its own dimension only, caching counts 0 (Tollgate has no response cache).
 */
import { API_REGION, type ReportKind } from './kinds.js';
import type { ReportInterval } from './interval.js';

/** The numbers of one group, as the store computed them (averages and minima 0 where nothing counted). */
export interface ReportNumbers {
  callCountSuccess: number;
  callCountBlocked: number;
  callCountFailed: number;
  callCountOther: number;
  callCountTotal: number;
  bandwidth: number;
  apiTimeAvg: number;
  apiTimeMin: number;
  apiTimeMax: number;
  serviceTimeAvg: number;
  serviceTimeMin: number;
  serviceTimeMax: number;
}

/** One group of traffic: its key (ids '' where the report does not group by them) and numbers. */
export interface ReportRow extends ReportNumbers {
  apiId: string;
  operationId: string;
  productId: string;
  subscriptionId: string;
  userId: string;
  /** byTime: the bucket's start (epoch ms). */
  bucket: number;
}

/** How reportNames keys an operation's name (operation ids are unique within their API only). */
export const operationKey = (apiId: string, operationId: string) => `${apiId}/${operationId}`;

/**
 * The entity a row of `kind` is about: the key its display name is looked up by, and the id shown
 * when it has no name (or is gone). Undefined for byTime and byGeo, whose records have no name.
 */
export function entityOf(kind: ReportKind, r: ReportRow): { key: string; id: string } | undefined {
  switch (kind) {
    case 'api':
      return { key: r.apiId, id: r.apiId };
    case 'operation':
      return { key: operationKey(r.apiId, r.operationId), id: r.operationId };
    case 'product':
      return { key: r.productId, id: r.productId };
    case 'user':
      return { key: r.userId, id: r.userId };
    case 'subscription':
      return { key: r.subscriptionId, id: r.subscriptionId };
    default:
      return undefined;
  }
}

export const apiPath = (id: string) => `/apis/${id}`;
export const operationPath = (apiId: string, id: string) => `/apis/${apiId}/operations/${id}`;
export const productPath = (id: string) => `/products/${id}`;
export const userPath = (id: string) => `/users/${id}`;
export const subscriptionPath = (id: string) => `/subscriptions/${id}`;

/** Azure's `yyyy-MM-ddTHH:mm:ssZ` (bucket starts are whole minutes). */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function numbers(r: ReportNumbers): Record<string, number> {
  return {
    callCountSuccess: r.callCountSuccess,
    callCountBlocked: r.callCountBlocked,
    callCountFailed: r.callCountFailed,
    callCountOther: r.callCountOther,
    callCountTotal: r.callCountTotal,
    bandwidth: r.bandwidth,
    cacheHitCount: 0,
    cacheMissCount: 0,
    apiTimeAvg: r.apiTimeAvg,
    apiTimeMin: r.apiTimeMin,
    apiTimeMax: r.apiTimeMax,
    serviceTimeAvg: r.serviceTimeAvg,
    serviceTimeMin: r.serviceTimeMin,
    serviceTimeMax: r.serviceTimeMax,
  };
}

/** The ids a record of `kind` carries. */
function ids(kind: ReportKind, r: ReportRow): Record<string, string> {
  switch (kind) {
    case 'api':
      return { apiId: apiPath(r.apiId) };
    case 'operation':
      return { apiId: apiPath(r.apiId), operationId: operationPath(r.apiId, r.operationId) };
    case 'product':
      return { productId: productPath(r.productId) };
    case 'user':
      return { userId: userPath(r.userId) };
    case 'subscription':
      return {
        ...(r.userId ? { userId: userPath(r.userId) } : {}),
        ...(r.productId ? { productId: productPath(r.productId) } : {}),
        subscriptionId: subscriptionPath(r.subscriptionId),
      };
    default:
      return {};
  }
}

/**
 * A ReportRecordContract. `name` (the entity's display name, or its id where it has none or is
 * gone) for the entity reports; byTime carries `timestamp` and `interval`; byGeo the location,
 * empty (Tollgate has no geolocation database: see docs/reports.md).
 */
export function reportRecord(kind: ReportKind, row: ReportRow, name: string | undefined, interval?: ReportInterval): Record<string, unknown> {
  const head: Record<string, unknown> =
    kind === 'time'
      ? { timestamp: isoSeconds(row.bucket), interval: interval?.iso }
      : kind === 'geo'
        ? { country: '', region: '', zip: '' }
        : { name: name ?? '' };
  return { ...head, ...ids(kind, row), apiRegion: API_REGION, ...numbers(row) };
}

/** One logged request, as the traffic_requests table holds it (ids '' for none). */
export interface RequestRow {
  at: number;
  requestId: string;
  method: string;
  /** Path and forwarded query (the subscription key is never in it). */
  url: string;
  ip: string;
  apiId: string;
  operationId: string;
  productId: string;
  subscriptionId: string;
  userId: string;
  responseCode: number;
  /** 0: not forwarded, or no answer from the backend. */
  backendResponseCode: number;
  requestSize: number;
  responseSize: number;
  apiTime: number;
  serviceTime: number;
}

/** Azure writes `-` for an id a request had none of (`/products/-`, `/apis/{id}/operations/-`). */
const orDash = (id: string) => id || '-';

/** A RequestReportRecordContract; `gatewayUrl` makes the URL absolute, as Azure's are. */
export function requestRecord(row: RequestRow, gatewayUrl: string): Record<string, unknown> {
  const api = orDash(row.apiId);
  return {
    apiId: apiPath(api),
    operationId: operationPath(api, orDash(row.operationId)),
    productId: productPath(orDash(row.productId)),
    userId: userPath(orDash(row.userId)),
    method: row.method,
    url: `${gatewayUrl.replace(/\/+$/, '')}${row.url}`,
    ipAddress: row.ip,
    backendResponseCode: row.backendResponseCode > 0 ? String(row.backendResponseCode) : '',
    responseCode: row.responseCode,
    responseSize: row.responseSize,
    timestamp: new Date(row.at).toISOString(),
    cache: 'none',
    apiTime: row.apiTime,
    serviceTime: row.serviceTime,
    apiRegion: API_REGION,
    subscriptionId: subscriptionPath(orDash(row.subscriptionId)),
    requestId: row.requestId,
    requestSize: row.requestSize,
  };
}
