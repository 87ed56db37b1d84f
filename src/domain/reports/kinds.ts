/**
 * The eight reports of Azure's Reports_ListBy* (apimreports.json) and what each one groups by.
 * The grouped ones read the per-minute aggregates; byRequest reads the sampled request log.
 */
export type ReportKind = 'api' | 'user' | 'operation' | 'product' | 'geo' | 'subscription' | 'time' | 'request';

/** The entity columns of the traffic tables, as the filter and the records name them. */
export type IdField = 'apiId' | 'operationId' | 'productId' | 'subscriptionId' | 'userId';

export const REPORT_KINDS: readonly ReportKind[] = Object.freeze(['api', 'user', 'operation', 'product', 'geo', 'subscription', 'time', 'request']);

/** The route segment of each report: `/reports/byApi` and so on. */
export const REPORT_ROUTES: Readonly<Record<ReportKind, string>> = Object.freeze({
  api: 'byApi',
  user: 'byUser',
  operation: 'byOperation',
  product: 'byProduct',
  geo: 'byGeo',
  subscription: 'bySubscription',
  time: 'byTime',
  request: 'byRequest',
});

/**
 * Tollgate runs in one region: every record says so, and `apiRegion eq '<another>'` matches
 * nothing. (Azure names the region of the gateway that served the call, e.g. 'East Asia'.)
 */
export const API_REGION = 'default';
