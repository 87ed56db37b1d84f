/**
 * Quota counters over raw HTTP on each backend (apimquotas.json): the periods of a counter key,
 * one period by its period key (`{index}_{ISO 8601 renewal period}`, newest first), and PATCH of
 * all periods or one. The periods are put straight into the quota_counters table, where the
 * gateway's counters keep them when there is no Redis (and read them on a key's first use).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { expectAzureError, expectValidationError } from '../helpers/shape.js';

const WEEK = 7 * 24 * 3600 * 1000;
const START = Date.parse('2014-08-04T04:24:35Z');

describe.each(BACKENDS)('quotas over HTTP on %s', (backend) => {
  let server: TestServer;
  const db = () => server.app.database.db;
  const period = (counterKey: string, start: number, end: number | null, calls: number, kilobytes: number) => ({
    counter_key: counterKey,
    period_start: new Date(start).toISOString(),
    period_end: end === null ? null : new Date(end).toISOString(),
    calls,
    kilobytes,
    updated_at: new Date().toISOString(),
  });
  const patch = (path: string, properties: unknown) => server.request('PATCH', path, { body: { properties } });

  beforeAll(async () => {
    // The counters keep only periods that have not ended: the test's time is just before the
    // second period starts, so both of 'ba' are still held.
    server = await startServer(backend, { clock: new ManualClock(new Date(START - 3600_000)) });
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    await db().deleteFrom('quota_counters').execute();
    await db()
      .insertInto('quota_counters')
      .values([
        period('ba', START - WEEK, START, 99, 10),
        period('ba', START, START + WEEK, 5, 2.5830078125),
        period('forever', START, null, 7, 0),
      ])
      .execute();
  });

  it('lists the periods of a key, newest first, as Azure shapes them', async () => {
    const res = await server.request('GET', '/quotas/ba');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      value: [
        {
          counterKey: 'ba',
          periodKey: '0_P7D',
          periodStartTime: '2014-08-04T04:24:35Z',
          periodEndTime: '2014-08-11T04:24:35Z',
          value: { callsCount: 5, kbTransferred: 2.5830078125 },
        },
        {
          counterKey: 'ba',
          periodKey: '1_P7D',
          periodStartTime: '2014-07-28T04:24:35Z',
          periodEndTime: '2014-08-04T04:24:35Z',
          value: { callsCount: 99, kbTransferred: 10 },
        },
      ],
      count: 2,
      nextLink: '',
    });
  });

  it('a key nothing was counted on has no periods', async () => {
    expect((await server.request('GET', '/quotas/nothing-here')).json).toEqual({ value: [], count: 0, nextLink: '' });
  });

  it('a quota that never renews: PT0S, and an end far away', async () => {
    const res = await server.request('GET', '/quotas/forever');
    expect(res.json.value).toEqual([
      { counterKey: 'forever', periodKey: '0_PT0S', periodStartTime: '2014-08-04T04:24:35Z', periodEndTime: '9999-12-31T23:59:59Z', value: { callsCount: 7, kbTransferred: 0 } },
    ]);
  });

  it('reads one period by its key (case-insensitively); 404 for another', async () => {
    const res = await server.request('GET', '/quotas/ba/periods/1_P7D');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ counterKey: 'ba', periodKey: '1_P7D', value: { callsCount: 99 } });
    expect((await server.request('GET', '/quotas/ba/periods/1_p7d')).json.periodKey).toBe('1_P7D');
    expectAzureError(await server.request('GET', '/quotas/ba/periods/2_P7D'), 404, 'ResourceNotFound');
    expectAzureError(await server.request('GET', '/quotas/ba/periods/0_PT1M'), 404);
    expectAzureError(await server.request('GET', '/quotas/none/periods/0_P7D'), 404);
  });

  it('PATCH of one period sets it alone, and is audited', async () => {
    const res = await patch('/quotas/ba/periods/0_P7D', { callsCount: 0 });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ periodKey: '0_P7D', value: { callsCount: 0, kbTransferred: 2.5830078125 } });
    expect((await server.request('GET', '/quotas/ba/periods/1_P7D')).json.value).toEqual({ callsCount: 99, kbTransferred: 10 });
    const audit = await db().selectFrom('audit_log').selectAll().where('action', '=', 'quota.updated').execute();
    expect(audit.map((a) => JSON.parse(a.detail ?? '{}'))).toContainEqual({ counterKey: 'ba', periodKey: '0_P7D' });
  });

  it('PATCH of a key sets every period of it', async () => {
    const res = await patch('/quotas/ba', { callsCount: 1, kbTransferred: 0 });
    expect(res.status, res.text).toBe(200);
    expect(res.json.value.map((v: { value: unknown }) => v.value)).toEqual([
      { callsCount: 1, kbTransferred: 0 },
      { callsCount: 1, kbTransferred: 0 },
    ]);
    expect((await server.request('GET', '/quotas/forever')).json.value[0].value.callsCount).toBe(7);
  });

  it('PATCH of what does not exist is 404; bad bodies are 400 with the field named', async () => {
    expectAzureError(await patch('/quotas/none', { callsCount: 0 }), 404);
    expectAzureError(await patch('/quotas/ba/periods/5_P7D', { callsCount: 0 }), 404);
    expectValidationError(await patch('/quotas/ba', { callsCount: -1 }), 'callsCount');
    expectValidationError(await patch('/quotas/ba', { callsCount: 1.5 }), 'callsCount');
    expectValidationError(await patch('/quotas/ba', { kbTransferred: 'a lot' }), 'kbTransferred');
    expectAzureError(await patch('/quotas/ba', {}), 400, 'ValidationError');
    expectValidationError(await server.request('PATCH', '/quotas/ba'), 'properties');
    expect((await server.request('GET', '/quotas/ba')).json.value[0].value.callsCount).toBe(5);
  });
});
