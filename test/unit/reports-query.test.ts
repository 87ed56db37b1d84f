/** Reading a report request: `$filter` into a time range and ids, byTime's interval, `$orderby`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { parseReportFilter, reportFilterFields } from '../../src/domain/reports/filter.js';
import { REPORT_ROUTES, type ReportKind } from '../../src/domain/reports/kinds.js';
import { formatInterval, parseInterval } from '../../src/domain/reports/interval.js';
import { METRIC_FIELDS, orderFields, parseOrderBy } from '../../src/domain/reports/orderby.js';
import { parseReportQuery } from '../../src/domain/reports/query.js';

const AZURE_EXAMPLE = "timestamp ge datetime'2017-06-01T00:00:00' and timestamp le datetime'2017-06-04T00:00:00'";
const JUNE_1 = Date.parse('2017-06-01T00:00:00Z');
const JUNE_4 = Date.parse('2017-06-04T00:00:00Z');

/** The AppError `fn` throws: its target and the text of its first detail. */
function refusal(fn: () => unknown): { target: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.kind).toBe('validation');
    expect(e.code).toBe('ValidationError');
    return { target: e.details[0]?.target, message: e.details[0]?.message ?? e.message };
  }
  throw new Error('expected a validation error');
}

describe('report $filter', () => {
  it("reads Azure's example: a UTC range from datetime literals without an offset", () => {
    expect(parseReportFilter('api', AZURE_EXAMPLE)).toEqual({
      from: { op: 'ge', at: JUNE_1 },
      to: { op: 'le', at: JUNE_4 },
      ids: {},
      otherRegion: false,
    });
  });

  it('takes gt and lt too, offsets, and the bounds in either order', () => {
    expect(parseReportFilter('time', "timestamp lt datetime'2017-06-04T02:00:00+02:00' and timestamp gt 2017-06-01")).toMatchObject({
      from: { op: 'gt', at: JUNE_1 },
      to: { op: 'lt', at: JUNE_4 },
    });
  });

  it('reads ids as record paths, plain ids or full ARM ids; an operation path names its API too', () => {
    const arm = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1';
    const f = parseReportFilter(
      'time',
      `${AZURE_EXAMPLE} and apiId eq '/apis/echo' and userId eq 'alice' and productId eq '${arm}/products/gold' and subscriptionId eq '/subscriptions/sa'`,
    );
    expect(f.ids).toEqual({ apiId: 'echo', userId: 'alice', productId: 'gold', subscriptionId: 'sa' });
    expect(parseReportFilter('user', `${AZURE_EXAMPLE} and operationId eq '/apis/echo/operations/get'`).ids).toEqual({ apiId: 'echo', operationId: 'get' });
    expect(parseReportFilter('user', `${AZURE_EXAMPLE} and operationId eq 'get'`).ids).toEqual({ operationId: 'get' });
    // The same API twice (once through the operation's path) is one condition.
    expect(parseReportFilter('user', `${AZURE_EXAMPLE} and apiId eq 'echo' and operationId eq '/apis/echo/operations/get'`).ids).toEqual({
      apiId: 'echo',
      operationId: 'get',
    });
  });

  it('apiRegion: this instance\'s region (any case) is no condition; another matches nothing', () => {
    expect(parseReportFilter('api', `${AZURE_EXAMPLE} and apiRegion eq 'Default'`).otherRegion).toBe(false);
    expect(parseReportFilter('api', `${AZURE_EXAMPLE} and apiRegion eq 'East Asia'`).otherRegion).toBe(true);
  });

  it.each([
    [undefined, /required/],
    ['  ', /required/],
    ["apiId eq 'echo'", /lower bound/],
    ["timestamp le datetime'2017-06-04T00:00:00'", /lower bound/],
    [`${AZURE_EXAMPLE} and timestamp ge datetime'2017-06-02T00:00:00'`, /two lower bounds/],
    [`${AZURE_EXAMPLE} and timestamp lt datetime'2017-06-02T00:00:00'`, /two upper bounds/],
    [`${AZURE_EXAMPLE} or apiId eq 'echo'`, /joined with 'and'/],
    [`not (${AZURE_EXAMPLE})`, /joined with 'and'/],
    [`${AZURE_EXAMPLE} and startswith(apiId, 'e')`, /not supported for field 'apiId'|joined with 'and'/],
    [`${AZURE_EXAMPLE} and apiId ne 'echo'`, /Operator 'ne' is not supported for field 'apiId'/],
    ["timestamp eq datetime'2017-06-01T00:00:00'", /Operator 'eq' is not supported for field 'timestamp'/],
    ["timestamp ge datetime'2017-02-30T00:00:00'", /Invalid date-time/],
    ["timestamp ge 'yesterday'", /Invalid date-time/],
    [`${AZURE_EXAMPLE} and country eq 'US'`, /Unknown field 'country'/],
    [`${AZURE_EXAMPLE} and apiId eq null`, /null/],
    [`${AZURE_EXAMPLE} and apiId eq ''`, /must not be empty/],
    [`${AZURE_EXAMPLE} and apiId eq '/products/echo'`, /neither an id nor a path of the form \/apis\/\{id\}/],
    [`${AZURE_EXAMPLE} and operationId eq '/apis/echo'`, /\/apis\/\{apiId\}\/operations\/\{operationId\}/],
    [`${AZURE_EXAMPLE} and apiId eq 'a' and apiId eq 'b'`, /two different values/],
    [`${AZURE_EXAMPLE} and apiId eq 'a' and operationId eq '/apis/b/operations/o'`, /two different values/],
  ])('refuses %j', (filter, message) => {
    const r = refusal(() => parseReportFilter('api', filter));
    expect(r.target).toBe('$filter');
    expect(r.message).toMatch(message);
  });

  it('byProduct and bySubscription take no apiId or operationId (apimreports.json documents none)', () => {
    for (const kind of ['product', 'subscription'] as const) {
      expect(refusal(() => parseReportFilter(kind, `${AZURE_EXAMPLE} and apiId eq 'echo'`)).message).toMatch(/Unknown field 'apiId'/);
      expect(parseReportFilter(kind, `${AZURE_EXAMPLE} and userId eq 'u'`).ids).toEqual({ userId: 'u' });
    }
  });
});

describe('byTime interval', () => {
  it.each([
    ['PT15M', 900_000, 'PT15M'],
    ['PT30M', 1_800_000, 'PT30M'],
    ['PT60M', 3_600_000, 'PT1H'],
    ['PT1H', 3_600_000, 'PT1H'],
    ['PT1H45M', 6_300_000, 'PT1H45M'],
    ['P1D', 86_400_000, 'P1D'],
    ['p1dt12h', 129_600_000, 'P1DT12H'],
    ['P1W', 604_800_000, 'P7D'],
    ['PT900S', 900_000, 'PT15M'],
    ['PT0.25H', undefined, undefined],
    ['P366D', 366 * 86_400_000, 'P366D'],
    ['P52W', 52 * 604_800_000, 'P364D'],
    ['PT120M', 7_200_000, 'PT2H'],
    ['P10DT1H', 867_600_000, 'P10DT1H'],
  ])('%s', (text, ms, iso) => {
    if (ms === undefined) {
      expect(refusal(() => parseInterval(text)).target).toBe('interval');
      return;
    }
    expect(parseInterval(text)).toEqual({ ms, iso });
  });

  it.each([
    [undefined, /required/],
    ['', /required/],
    ['PT10M', /multiple of 15 minutes/],
    ['PT15M1S', /multiple of 15 minutes/],
    ['PT0M', /zero/],
    ['P', /not an ISO 8601 duration/],
    ['PT', /not an ISO 8601 duration/],
    ['P1M', /not an ISO 8601 duration/],
    ['P1Y', /not an ISO 8601 duration/],
    ['15', /not an ISO 8601 duration/],
    ['-PT15M', /not an ISO 8601 duration/],
    ['P367D', /longer than P366D/],
    ['P52W3D', /longer than P366D/],
  ])('refuses %j', (text, message) => {
    const r = refusal(() => parseInterval(text));
    expect(r.target).toBe('interval');
    expect(r.message).toMatch(message);
  });

  it('formats as XmlConvert writes a TimeSpan', () => {
    expect(formatInterval(15 * 60_000)).toBe('PT15M');
    expect(formatInterval(25 * 3600_000)).toBe('P1DT1H');
    expect(formatInterval(2 * 86_400_000 + 15 * 60_000)).toBe('P2DT15M');
  });
});

describe('report $orderby', () => {
  it('reads fields in any case, asc by default, several of them', () => {
    expect(parseOrderBy('api', 'CallCountTotal desc, apiId')).toEqual([
      { field: 'callCountTotal', desc: true },
      { field: 'apiId', desc: false },
    ]);
    expect(parseOrderBy('time', 'timestamp  DESC')).toEqual([{ field: 'timestamp', desc: true }]);
    expect(parseOrderBy('user', undefined)).toEqual([]);
    expect(parseOrderBy('user', '')).toEqual([]);
  });

  it('takes up to four fields', () => {
    expect(parseOrderBy('user', 'bandwidth, callCountTotal desc, apiTimeAvg, userId desc')).toHaveLength(4);
  });

  it('lists, per report, the numbers and its own key', () => {
    expect(orderFields('api')).toEqual([...METRIC_FIELDS, 'apiId']);
    expect(orderFields('operation')).toEqual([...METRIC_FIELDS, 'apiId', 'operationId']);
    expect(orderFields('product')).toEqual([...METRIC_FIELDS, 'productId']);
    expect(orderFields('user')).toEqual([...METRIC_FIELDS, 'userId']);
    expect(orderFields('subscription')).toEqual([...METRIC_FIELDS, 'subscriptionId']);
    expect(orderFields('time')).toEqual([...METRIC_FIELDS, 'timestamp']);
    expect(orderFields('geo')).toEqual(METRIC_FIELDS);
    expect(orderFields('request')).toEqual(['timestamp']);
  });

  it("orders each report by its own key and the numbers only; byRequest by timestamp only", () => {
    expect(refusal(() => parseOrderBy('api', 'userId')).message).toMatch(/cannot order by 'userId'/);
    expect(refusal(() => parseOrderBy('request', 'bandwidth')).message).toMatch(/Allowed fields: timestamp\./);
    expect(parseOrderBy('operation', 'operationId desc')).toEqual([{ field: 'operationId', desc: true }]);
  });

  it.each([
    ['name', /display name is not supported/],
    ['displayName desc', /display name is not supported/],
    ['bandwidth sideways', /not '<field> asc'/],
    ['bandwidth xasc', /not '<field> asc'/],
    ['bandwidth descx', /not '<field> asc'/],
    ['named', /cannot order by 'named'\. Allowed/],
    ['bandwidth asc extra', /not '<field> asc'/],
    ['bandwidth, bandwidth desc', /twice/],
    ['a,b,c,d,e', /more than 4/],
  ])('refuses %j', (text, message) => {
    const r = refusal(() => parseOrderBy('user', text));
    expect(r.target).toBe('$orderby');
    expect(r.message).toMatch(message);
  });
});

describe('parseReportQuery', () => {
  it('asks for an interval only for byTime', () => {
    const raw = { filter: AZURE_EXAMPLE, orderby: undefined, interval: undefined, top: 10, skip: 5 };
    expect(parseReportQuery('api', raw)).toMatchObject({ kind: 'api', interval: undefined, top: 10, skip: 5, order: [] });
    expect(refusal(() => parseReportQuery('time', raw)).target).toBe('interval');
    expect(parseReportQuery('time', { ...raw, interval: 'PT15M' }).interval).toEqual({ ms: 900_000, iso: 'PT15M' });
  });
});

describe("the report filter tables against apimreports.json's", () => {
  const spec = JSON.parse(readFileSync(new URL('../fixtures/azure-apim-rest/2024-05-01/apimreports.json', import.meta.url), 'utf8')) as {
    paths: Record<string, { get: { operationId: string; parameters: { name?: string; description?: string }[] } }>;
  };
  const operationOf: Record<string, ReportKind> = Object.fromEntries(
    Object.entries(REPORT_ROUTES).map(([kind, route]) => [`Reports_List${route.replace(/^by/, 'By')}`, kind as ReportKind]),
  );

  it.each(Object.values(spec.paths).map((p) => p.get.operationId))('%s: the fields Azure filters on, with its operators', (operationId) => {
    const kind = operationOf[operationId]!;
    const description = spec.paths[Object.keys(spec.paths).find((p) => spec.paths[p]!.get.operationId === operationId)!]!.get.parameters.find(
      (p) => p.name === '$filter',
    )!.description!;
    // | field | usage | operators | functions |, one row per </br>; byApi has no table (it takes byOperation's).
    const rows = description
      .split('</br>')
      .map((line) => line.split('|').map((c) => c.trim()))
      .filter((cells) => cells.length >= 5 && cells[2]!.split(',').some((u) => u.trim() === 'filter'));
    const documented = kind === 'api' ? Object.keys(reportFilterFields('operation')) : rows.map((cells) => cells[1]!);
    expect(Object.keys(reportFilterFields(kind)).sort()).toEqual([...documented].sort());
    for (const cells of rows) {
      const ours = reportFilterFields(kind)[cells[1]!]!;
      for (const op of cells[3]!.split(',').map((s) => s.trim()).filter(Boolean)) expect(ours.operators, `${cells[1]} ${op}`).toContain(op);
    }
  });
});
