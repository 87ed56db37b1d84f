/** Report records as Azure's contracts shape them. */
import { describe, expect, it } from 'vitest';
import { entityOf, reportRecord, requestRecord, type ReportRow, type RequestRow } from '../../src/domain/reports/records.js';

const numbers = {
  callCountSuccess: 13,
  callCountBlocked: 1,
  callCountFailed: 0,
  callCountOther: 0,
  callCountTotal: 14,
  bandwidth: 11019,
  apiTimeAvg: 1015.76,
  apiTimeMin: 330.32,
  apiTimeMax: 1819.21,
  serviceTimeAvg: 957.09,
  serviceTimeMin: 215.24,
  serviceTimeMax: 1697.36,
};
const row: ReportRow = { apiId: 'echo', operationId: 'get', productId: 'gold', subscriptionId: 'sa', userId: 'alice', bucket: Date.parse('2017-06-03T00:15:00Z'), ...numbers };
const counts = { ...numbers, cacheHitCount: 0, cacheMissCount: 0 };

describe('reportRecord', () => {
  it('carries the ids of its own dimension only, as paths', () => {
    expect(reportRecord('api', row, 'Echo API')).toEqual({ name: 'Echo API', apiId: '/apis/echo', apiRegion: 'default', ...counts });
    expect(reportRecord('operation', row, 'Get')).toEqual({
      name: 'Get',
      apiId: '/apis/echo',
      operationId: '/apis/echo/operations/get',
      apiRegion: 'default',
      ...counts,
    });
    expect(reportRecord('product', row, 'Gold')).toEqual({ name: 'Gold', productId: '/products/gold', apiRegion: 'default', ...counts });
    expect(reportRecord('user', row, 'Alice Smith')).toEqual({ name: 'Alice Smith', userId: '/users/alice', apiRegion: 'default', ...counts });
    expect(reportRecord('subscription', row, 'Main')).toMatchObject({
      name: 'Main',
      userId: '/users/alice',
      productId: '/products/gold',
      subscriptionId: '/subscriptions/sa',
    });
  });

  it('bySubscription leaves out an owner or product the calls had none of', () => {
    const r = reportRecord('subscription', { ...row, userId: '', productId: '' }, 'x');
    expect(r).not.toHaveProperty('userId');
    expect(r).not.toHaveProperty('productId');
  });

  it('byTime: the bucket start in yyyy-MM-ddTHH:mm:ssZ and the interval; byGeo: an unknown (empty) location', () => {
    expect(reportRecord('time', row, undefined, { ms: 900_000, iso: 'PT15M' })).toEqual({
      timestamp: '2017-06-03T00:15:00Z',
      interval: 'PT15M',
      apiRegion: 'default',
      ...counts,
    });
    expect(reportRecord('geo', row, undefined)).toEqual({ country: '', region: '', zip: '', apiRegion: 'default', ...counts });
  });

  it('entityOf: the name lookup key (operations under their API) and the id shown without a name', () => {
    expect(entityOf('api', row)).toEqual({ key: 'echo', id: 'echo' });
    expect(entityOf('product', row)).toEqual({ key: 'gold', id: 'gold' });
    expect(entityOf('user', row)).toEqual({ key: 'alice', id: 'alice' });
    expect(entityOf('operation', row)).toEqual({ key: 'echo/get', id: 'get' });
    expect(entityOf('subscription', row)).toEqual({ key: 'sa', id: 'sa' });
    expect(entityOf('time', row)).toBeUndefined();
    expect(entityOf('geo', row)).toBeUndefined();
  });
});

describe('requestRecord', () => {
  const request: RequestRow = {
    at: Date.parse('2017-06-03T00:17:00.164Z'),
    requestId: '63e7119c-26aa-433c-96d7-f6f3267ff52f',
    method: 'GET',
    url: '/echo/resource?param1=sample',
    ip: '203.0.113.7',
    apiId: 'echo',
    operationId: '',
    productId: '',
    subscriptionId: '',
    userId: '',
    responseCode: 404,
    backendResponseCode: 0,
    requestSize: 0,
    responseSize: 405,
    apiTime: 221.15,
    serviceTime: 0,
  };

  it("as Azure's example: '-' for ids the call had none of, an absolute URL, no cache, the backend's status as a string", () => {
    expect(requestRecord(request, 'https://gw.example.com/')).toEqual({
      apiId: '/apis/echo',
      operationId: '/apis/echo/operations/-',
      productId: '/products/-',
      userId: '/users/-',
      method: 'GET',
      url: 'https://gw.example.com/echo/resource?param1=sample',
      ipAddress: '203.0.113.7',
      backendResponseCode: '',
      responseCode: 404,
      responseSize: 405,
      timestamp: '2017-06-03T00:17:00.164Z',
      cache: 'none',
      apiTime: 221.15,
      serviceTime: 0,
      apiRegion: 'default',
      subscriptionId: '/subscriptions/-',
      requestId: '63e7119c-26aa-433c-96d7-f6f3267ff52f',
      requestSize: 0,
    });
    expect(requestRecord({ ...request, backendResponseCode: 200 }, 'http://gw').backendResponseCode).toBe('200');
    expect(requestRecord({ ...request, apiId: '' }, 'http://gw')).toMatchObject({ apiId: '/apis/-', operationId: '/apis/-/operations/-' });
  });
});
