/**
 * The usage reads on both databases: each scoped read is served by its (column, minute) index
 * (the database's own plan, read with EXPLAIN; on PostgreSQL with sequential scans discouraged, as
 * its planner scans a small table whole, which a real instance's is not), the unscoped ones by
 * the primary key's leading minute; and the service's ranges: the steps of the presets, from/to
 * widened to whole steps, the bounds of from/to, and dense series whose percentiles are ordered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { ManualClock } from '../../src/domain/clock.js';
import type { Database } from '../../src/store/schema.js';
import { usageByStatus, usageByStep, usageTop } from '../../src/store/usage-repo.js';
import { AppError } from '../../src/domain/errors.js';
import { activeSubscription, putApi, putProduct } from '../helpers/gateway.js';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { activeDeveloper } from '../helpers/users.js';
import { keyCall } from '../helpers/usage-page.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('usage queries and ranges (%s)', (backend) => {
  const clock = new ManualClock('2026-03-02T10:17:30.000Z');
  let server: TestServer;
  let upstream: Upstream;

  beforeAll(async () => {
    upstream = await startUpstream();
    server = await startServer(backend, { clock });
    await putApi(server, 'echo', { displayName: 'Echo', path: 'echo', serviceUrl: upstream.url, protocols: ['http'] }, [
      { id: 'hello', displayName: 'Hello', method: 'GET', urlTemplate: '/hello' },
    ]);
    await putProduct(server, 'gold', { displayName: 'Gold', subscriptionRequired: true, approvalRequired: false, state: 'published' }, { apis: ['echo'] });
    await activeDeveloper(server, 'ada');
    const key = await activeSubscription(server, 'ada-gold', 'ada', 'gold', 'Ada app');
    for (let i = 0; i < 5; i++) expect(await keyCall(server.gatewayUrl, '/echo/hello', key)).toBe(200);
    await server.app.gateway.flushTraffic();
  });

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  /** The plan of the one query `run` sends, as the database describes it. */
  async function planOf(run: (db: Kysely<Database>) => Promise<unknown>): Promise<string> {
    const db = server.app.database.db;
    const sent: CompiledQuery[] = [];
    const spy = db.withPlugin({
      transformQuery: (args) => {
        sent.push(db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    await run(spy);
    expect(sent).toHaveLength(1);
    const query = sent[0]!;
    return db.connection().execute(async (c) => {
      if (backend === 'postgres') {
        await sql`set enable_seqscan = off`.execute(c);
        const { rows } = await c.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
        await sql`set enable_seqscan = on`.execute(c);
        return rows.map((r) => Object.values(r).join(' ')).join('\n');
      }
      const { rows } = await c.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
      return rows.map((r) => r.detail).join('\n');
    });
  }

  const window = { from: Date.parse('2026-02-01T00:00:00Z'), to: Date.parse('2026-03-03T00:00:00Z') };

  // Not on an hour's boundary: only the minute rows answer it.
  const minutesWindow = { from: Date.parse('2026-03-01T10:07:00Z'), to: Date.parse('2026-03-02T10:08:00Z') };
  const MINUTE = 60_000;

  it('reads one subscription, user, product or API by its own (column, minute) index, of the coarsest table that fits', async () => {
    for (const kind of ['subscription', 'user', 'product', 'api'] as const) {
      const scope = { kind, id: 'x' };
      // Whole days in steps of days: the day rollup.
      expect(await planOf((db) => usageByStep(db, window, DAY, scope)), kind).toContain(`traffic_days_${kind}`);
      expect(await planOf((db) => usageTop(db, window, 'operation', 10, scope)), kind).toContain(`traffic_days_${kind}`);
      // Whole days in steps of hours: the hour rollup; anything else: the minutes.
      expect(await planOf((db) => usageByStep(db, window, HOUR, scope)), kind).toContain(`traffic_hours_${kind}`);
      expect(await planOf((db) => usageByStep(db, minutesWindow, MINUTE, scope)), kind).toContain(`traffic_minutes_${kind}`);
      expect(await planOf((db) => usageTop(db, minutesWindow, 'operation', 10, scope)), kind).toContain(`traffic_minutes_${kind}`);
    }
  });

  it('reads all traffic of a range by the primary key, and status counts by theirs', async () => {
    // SQLite names a primary key's index sqlite_autoindex_<table>_1.
    expect(await planOf((db) => usageByStep(db, window, HOUR))).toMatch(/traffic_hours_pk|sqlite_autoindex_traffic_hours_1 \(minute>\? AND minute<\?\)/);
    expect(await planOf((db) => usageByStep(db, minutesWindow, MINUTE))).toMatch(/traffic_minutes_pk|sqlite_autoindex_traffic_minutes_1 \(minute>\? AND minute<\?\)/);
    expect(await planOf((db) => usageByStatus(db, window))).toMatch(/traffic_statuses_days_pk|sqlite_autoindex_traffic_statuses_days_1 \(minute>\? AND minute<\?\)/);
    expect(await planOf((db) => usageByStatus(db, minutesWindow))).toMatch(/traffic_statuses_pk|sqlite_autoindex_traffic_statuses_1 \(minute>\? AND minute<\?\)/);
  });

  it('picks the step from the range and ends a preset with the step that holds now', () => {
    const usage = server.app.services.usage;
    const steps = Object.fromEntries((['1h', '24h', '7d', '30d', '90d'] as const).map((p) => [p, usage.resolve({ preset: p })]));
    expect(Object.fromEntries(Object.entries(steps).map(([p, r]) => [p, [r.stepMs, (r.to - r.from) / r.stepMs]]))).toEqual({
      '1h': [60_000, 60],
      '24h': [15 * 60_000, 96],
      '7d': [HOUR, 168],
      '30d': [DAY, 30],
      '90d': [DAY, 90],
    });
    expect(new Date(steps['1h']!.to).toISOString()).toBe('2026-03-02T10:18:00.000Z');
    expect(new Date(steps['24h']!.to).toISOString()).toBe('2026-03-02T10:30:00.000Z');
    expect(new Date(steps['30d']!.from).toISOString()).toBe('2026-02-01T00:00:00.000Z');

    const custom = usage.resolve({ from: new Date('2026-03-01T10:07:00Z'), to: new Date('2026-03-02T10:08:00Z') });
    expect([custom.stepMs, new Date(custom.from).toISOString(), new Date(custom.to).toISOString()]).toEqual([15 * 60_000, '2026-03-01T10:00:00.000Z', '2026-03-02T10:15:00.000Z']);
  });

  it('refuses a from/to that is reversed or longer than 366 days, naming the field', () => {
    const usage = server.app.services.usage;
    const refusal = (from: string, to: string) => {
      try {
        usage.resolve({ from: new Date(from), to: new Date(to) });
      } catch (error) {
        if (error instanceof AppError) return [error.kind, error.details[0]?.target, error.details[0]?.message];
        throw error;
      }
      return undefined;
    };
    expect(refusal('2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['validation', 'to', 'The end of the range must be after its start.']);
    expect(refusal('2025-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['validation', 'to', 'The range can be at most 366 days long.']);
    expect(refusal('2025-03-01T00:00:00Z', '2026-03-01T00:00:00Z')).toBeUndefined();
  });

  it('gives a dense series: a point per step, zeros where nothing was called, ordered percentiles where calls were', async () => {
    const overview = await server.app.services.usage.overview({ preset: '1h' }, { kind: 'subscription', id: 'ada-gold' });
    expect(overview.points).toHaveLength(60);
    const called = overview.points.filter((p) => p.total > 0);
    expect(called.map((p) => [new Date(p.at).toISOString(), p.success, p.total])).toEqual([['2026-03-02T10:17:00.000Z', 5, 5]]);
    const { p50, p95, p99 } = called[0]!.latency;
    expect(p50).toBeGreaterThan(0);
    expect(p95!).toBeGreaterThanOrEqual(p50!);
    expect(p99!).toBeGreaterThanOrEqual(p95!);
    expect(overview.points.filter((p) => p.total === 0).every((p) => p.latency.p50 === undefined)).toBe(true);
    expect(overview.totals).toMatchObject({ success: 5, blocked: 0, failed: 0, other: 0, total: 5 });
    expect(overview.top.products.map((t) => [t.id, t.name, t.total])).toEqual([['gold', 'Gold', 5]]);
    // Status counts are kept per API only.
    expect(overview.errors).toBeUndefined();
  });
});
