/**
 * Two mechanisms every write and every guarded attempt relies on, over a real store on both
 * databases: the write helper (a new tag per row, one time, the change feed and the audit log
 * appended with the actor and the address, in the write's transaction, or not at all; PUT, PATCH
 * and DELETE of one entity with their If-Match rules and the retry of a lost insert race), and the
 * attempt limiter (one atomic count per attempt, the lock as the policy says: doubling, its cap,
 * the window's reset; refused attempts not counted; an attempt taken back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SIGN_IN, ADDRESS_SIGN_IN, type AttemptPolicy } from '../../src/domain/attempt-limits.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createIdGenerator } from '../../src/domain/ids.js';
import { dropSchema, migrateToLatest, openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createAttemptLimiter } from '../../src/services/attempts.js';
import { beginWrite, deleteInWrite, inWrite, patchInWrite, putInWrite, type Write } from '../../src/services/writes.js';
import { AppError, notFound, operationNotAllowed } from '../../src/domain/errors.js';
import { BACKENDS } from '../helpers/server.js';

const MINUTE = 60 * 1000;

describe.each(BACKENDS)('writes and attempts on %s', (backend) => {
  let database: OpenDatabase;
  let store: Store;
  const clock = new ManualClock('2026-05-04T10:00:00.000Z');
  const ids = createIdGenerator(clock);
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-writes-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await openDatabase(backend === 'sqlite' ? `sqlite:${join(dir, 'w.db')}` : process.env.TEST_DATABASE_URL!, { schema });
    await migrateToLatest(database.db, database.dialect);
    store = createStore(database.db, database.dialect);
  });
  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
  });

  // What the gateway in the process would be told: each call, with what the feed held at that moment.
  const told: number[] = [];
  const afterChanges = async () => {
    told.push((await database.db.selectFrom('change_feed').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n as number);
  };
  const writeDeps = () => ({ store, clock, ids, afterChanges });

  const feed = async (id: string) =>
    (await database.db.selectFrom('change_feed').selectAll().where('entity_id', '=', id).orderBy('seq').execute()).map((r) => ({ entity: r.entity, at: r.at }));

  describe('the write helper', () => {
    it('records the change for the gateways and the audit entry together, with the actor, the address and one time', async () => {
      clock.set('2026-05-04T10:00:00.000Z');
      const actor = { actor: 'key:ci', ip: '203.0.113.7' };
      const tags = await inWrite(writeDeps(), actor, async (w) => {
        expect(w.at).toBe('2026-05-04T10:00:00.000Z');
        clock.advance(5000); // the write's time was read once, when it began
        await w.record(
          { change: { entity: 'product', id: 'p-1' }, audit: { action: 'product.created', detail: { product: 'p-1' } } },
          { change: { entity: 'subscription', id: 's-1' } },
          { audit: { action: 'subscription.created', userId: 'u-1', detail: { subscription: 's-1' } } },
        );
        return [w.etag(), w.etag()];
      });
      expect(tags[0]).not.toBe(tags[1]);
      expect(await feed('p-1')).toEqual([{ entity: 'product', at: '2026-05-04T10:00:00.000Z' }]);
      expect(await feed('s-1')).toEqual([{ entity: 'subscription', at: '2026-05-04T10:00:00.000Z' }]);
      const entries = await store.audit.listAudit({ limit: 10 });
      const created = entries.filter((e) => e.action === 'product.created' || e.action === 'subscription.created');
      expect(created.map((e) => [e.action, e.actor, e.ip, e.user_id, e.at]).sort()).toEqual([
        ['product.created', 'key:ci', '203.0.113.7', null, '2026-05-04T10:00:00.000Z'],
        ['subscription.created', 'key:ci', '203.0.113.7', 'u-1', '2026-05-04T10:00:00.000Z'],
      ]);
      expect(JSON.parse(created.find((e) => e.action === 'product.created')!.detail!)).toEqual({ product: 'p-1' });
    });

    it('lands nothing when the write fails: no change, no audit entry', async () => {
      const before = (await store.audit.listAudit({ limit: 1000 })).length;
      await expect(
        store.transaction(async (tx) => {
          await beginWrite({ clock, ids }, tx, { actor: 'system' }).record({ change: { entity: 'api', id: 'a-gone' }, audit: { action: 'api.deleted' } });
          throw new Error('the write fails after recording');
        }),
      ).rejects.toThrow('the write fails');
      expect(await feed('a-gone')).toEqual([]);
      expect((await store.audit.listAudit({ limit: 1000 })).length).toBe(before);
    });

    it('tells the gateway after the commit, once per write, only when the write recorded a change (also through as())', async () => {
      told.length = 0;
      await inWrite(writeDeps(), { actor: 'system' }, (w) => w.record({ audit: { action: 'group.created', detail: { group: 'g-told' } } }));
      expect(told).toEqual([]);
      const value = await inWrite(writeDeps(), { actor: 'system' }, async (w) => {
        await w.record({ change: { entity: 'user', id: 'u-told' } });
        await w.record({ change: { entity: 'user', id: 'u-told' } });
        expect(told).toEqual([]); // not before the commit
        return 'answered';
      });
      expect(value).toBe('answered');
      expect(told).toHaveLength(1);
      // Told after the commit: the gateway's own connection already sees the change.
      expect(Number(told[0])).toBe(Number((await database.db.selectFrom('change_feed').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
      await inWrite(writeDeps(), { actor: 'anonymous' }, (w) => w.as({ actor: 'user:u-told' }).record({ change: { entity: 'user', id: 'u-told' }, audit: { action: 'user.state-changed', userId: 'u-told' } }));
      expect(told).toHaveLength(2);
      expect((await store.audit.listAudit({ limit: 5 })).find((e) => e.action === 'user.state-changed')?.actor).toBe('user:u-told');
      await expect(
        inWrite(writeDeps(), { actor: 'system' }, async (w) => {
          await w.record({ change: { entity: 'user', id: 'u-rolled-back' } });
          throw new Error('the write fails');
        }),
      ).rejects.toThrow('the write fails');
      expect(told).toHaveLength(2);
    });

    it('records many events of one write in a few statements (a deleted product with 1,200 subscriptions)', async () => {
      const events = Array.from({ length: 1200 }, (_, i) => ({
        change: { entity: 'subscription' as const, id: `bulk-${i}` },
        audit: { action: 'subscription.deleted' as const, userId: `owner-${i % 7}`, detail: { subscription: `bulk-${i}` } },
      }));
      await inWrite(writeDeps(), { actor: 'user:admin', ip: '198.51.100.1' }, (w) => w.record(...events));
      const rows = await database.db.selectFrom('change_feed').select('entity_id').where('entity_id', 'like', 'bulk-%').execute();
      expect(rows).toHaveLength(1200);
      const audited = await database.db.selectFrom('audit_log').select('id').where('action', '=', 'subscription.deleted').where('actor', '=', 'user:admin').execute();
      expect(new Set(audited.map((r) => r.id)).size).toBe(1200);
    });
  });

  describe('PUT, PATCH and DELETE of one entity', () => {
    const deps = writeDeps;
    const actor = { actor: 'key:ci' };
    const find = (id: string) => (tx: Store) => tx.groups.findGroup(id, true);
    const insert = (id: string, name: string) => async (w: Write) => {
      await w.tx.groups.insertGroup({ id, display_name: name, description: null, type: 'custom', external_id: null, built_in: 0, etag: w.etag(), created_at: w.at });
      return name;
    };
    const rename = (id: string, name: string) => async (w: Write) => {
      await w.tx.groups.updateGroup(id, { display_name: name, etag: w.etag() });
      return name;
    };
    const kindOf = async (p: Promise<unknown>) => {
      const error = await p.then(() => undefined, (e: unknown) => e);
      return error instanceof AppError ? error.kind : error;
    };

    it('PUT creates, then updates; a given If-Match must match, and never matches an entity that does not exist', async () => {
      const put = (id: string, name: string, ifMatch?: string) => putInWrite(deps(), actor, ifMatch, { find: find(id), update: rename(id, name), insert: insert(id, name) });
      expect(await kindOf(put('w-put', 'First', '*'))).toBe('precondition-failed');
      expect(await put('w-put', 'First')).toEqual({ value: 'First', created: true });
      const etag = (await store.groups.findGroup('w-put'))!.etag;
      expect(await kindOf(put('w-put', 'Second', '"stale"'))).toBe('precondition-failed');
      expect(await put('w-put', 'Second', `"${etag}"`)).toEqual({ value: 'Second', created: false });
      expect((await store.groups.findGroup('w-put'))!.display_name).toBe('Second');
    });

    it('PUT runs once more when it loses the race to insert the same id, and then updates the winner', async () => {
      await putInWrite(deps(), actor, undefined, { find: find('w-race'), update: rename('w-race', 'x'), insert: insert('w-race', 'Winner') });
      let calls = 0;
      const result = await putInWrite(deps(), actor, undefined, {
        // The first run read before the winner's insert was committed: it sees no row, and its own
        // insert then fails on the unique id (for real, in the database).
        find: async (tx) => (++calls === 1 ? undefined : tx.groups.findGroup('w-race', true)),
        update: rename('w-race', 'Retried'),
        insert: insert('w-race', 'Loser'),
      });
      expect(result).toEqual({ value: 'Retried', created: false });
      expect(calls).toBe(2);
      expect((await store.groups.findGroup('w-race'))!.display_name).toBe('Retried');
    });

    it('PATCH needs If-Match, 404s through its loader, and changes nothing when the tag is stale', async () => {
      await putInWrite(deps(), actor, undefined, { find: find('w-patch'), update: rename('w-patch', 'x'), insert: insert('w-patch', 'Original') });
      const load = async (tx: Store) => {
        const row = await tx.groups.findGroup('w-patch', true);
        if (!row) throw notFound('Group');
        return row;
      };
      const patch = (ifMatch: string | undefined) => patchInWrite(deps(), actor, ifMatch, { load, update: rename('w-patch', 'Patched') });
      expect(await kindOf(patch(undefined))).toBe('validation');
      expect(await kindOf(patch('  '))).toBe('validation');
      expect(await kindOf(patch('"stale"'))).toBe('precondition-failed');
      expect((await store.groups.findGroup('w-patch'))!.display_name).toBe('Original');
      expect(await patch('*')).toBe('Patched');
      expect(await kindOf(patchInWrite(deps(), actor, '*', { load: () => Promise.reject(notFound('Group')), update: rename('w-patch', 'Never') }))).toBe('not-found');
    });

    it('DELETE needs If-Match, is false when there is nothing, refuses through its guard before the tag is looked at', async () => {
      await putInWrite(deps(), actor, undefined, { find: find('w-del'), update: rename('w-del', 'x'), insert: insert('w-del', 'Doomed') });
      const removed: string[] = [];
      const del = (ifMatch: string | undefined, guard?: () => void) =>
        deleteInWrite(deps(), actor, ifMatch, {
          find: find('w-del'),
          guard,
          remove: async (w) => {
            await w.tx.groups.deleteGroup('w-del');
            removed.push('w-del');
          },
        });
      expect(await kindOf(del(undefined))).toBe('validation');
      expect(await kindOf(del('"stale"'))).toBe('precondition-failed');
      const refuse = () => {
        throw operationNotAllowed('Not this one.');
      };
      const refused = await del('"stale"', refuse).catch((e: unknown) => e);
      expect(refused).toMatchObject({ message: 'Not this one.' });
      expect(removed).toEqual([]);
      expect(await del('*')).toBe(true);
      expect(await del('*')).toBe(false);
      expect(removed).toEqual(['w-del']);
      expect(await store.groups.findGroup('w-del')).toBeUndefined();
    });
  });

  describe('the attempt limiter', () => {
    const limiter = () => createAttemptLimiter({ store, clock });
    const count = (key: string, policy: AttemptPolicy = ACCOUNT_SIGN_IN) => limiter().count([{ key, policy }]);

    it('locks at the 5th failure for one minute, doubles each lock after, and caps it at 15 minutes', async () => {
      clock.set('2026-05-05T08:00:00.000Z');
      const key = `account:double-${backend}`;
      for (let i = 1; i <= 4; i++) expect(await count(key)).toEqual({ allowed: true, locks: new Map() });
      const fifth = await count(key);
      expect(fifth.allowed && fifth.lockedUntil).toBe('2026-05-05T08:01:00.000Z');
      // While locked, attempts are refused and not counted.
      expect(await count(key)).toEqual({ allowed: false, until: '2026-05-05T08:01:00.000Z' });
      expect((await store.throttle.findThrottle(key))!.failures).toBe(5);
      // Each attempt after a lock ends doubles the lock: 2, 4, 8 minutes...
      for (const minutes of [2, 4, 8]) {
        clock.set((await store.throttle.findThrottle(key))!.locked_until!);
        clock.advance(1000);
        const admission = await count(key);
        expect(admission.allowed && (new Date(admission.lockedUntil!).getTime() - clock.now().getTime()) / MINUTE).toBe(minutes);
      }
      // ...until the window of the first failure (15 minutes) is over: then counting starts again.
      clock.set((await store.throttle.findThrottle(key))!.locked_until!);
      clock.advance(1000);
      expect(await count(key)).toEqual({ allowed: true, locks: new Map() });
      expect((await store.throttle.findThrottle(key))!.failures).toBe(1);
    });

    it('doubles within one window and caps at 15 minutes (a window long enough to see it)', async () => {
      clock.set('2026-05-06T08:00:00.000Z');
      const key = `account:cap-${backend}`;
      const longWindow: AttemptPolicy = { windowMs: 24 * 60 * MINUTE, lockMs: ACCOUNT_SIGN_IN.lockMs };
      const locks: number[] = [];
      for (let n = 1; n <= 12; n++) {
        const admission = await count(key, longWindow);
        if (!admission.allowed) throw new Error(`attempt ${n} refused`);
        if (admission.lockedUntil) {
          locks.push((new Date(admission.lockedUntil).getTime() - clock.now().getTime()) / MINUTE);
          clock.set(admission.lockedUntil);
          clock.advance(1);
        }
      }
      expect(locks).toEqual([1, 2, 4, 8, 15, 15, 15, 15]);
    });

    it('starts a new window when the first failure is more than 15 minutes old', async () => {
      clock.set('2026-05-07T08:00:00.000Z');
      const key = `account:window-${backend}`;
      for (let i = 1; i <= 4; i++) await count(key);
      // Exactly 15 minutes after the first failure it is still the same window: the 5th locks.
      clock.set('2026-05-07T08:15:00.000Z');
      const fifth = await count(key);
      expect(fifth.allowed && fifth.lockedUntil).toBe('2026-05-07T08:16:00.000Z');
      // Past the lock and the window: the next failure is the first of a new window.
      clock.set('2026-05-07T08:15:00.001Z');
      clock.advance(2 * MINUTE);
      expect(await count(key)).toEqual({ allowed: true, locks: new Map() });
      const row = (await store.throttle.findThrottle(key))!;
      expect(row.failures).toBe(1);
      expect(row.first_failure_at).toBe(clock.now().toISOString());
    });

    it('counts an attempt against all its keys or none, and takes one back with the lock it set', async () => {
      clock.set('2026-05-08T08:00:00.000Z');
      const account = `account:both-${backend}`;
      const address = `ip:both-${backend}`;
      const both = () => limiter().count([{ key: address, policy: ADDRESS_SIGN_IN }, { key: account, policy: ACCOUNT_SIGN_IN }]);
      for (let i = 1; i <= 5; i++) await both();
      // The account is locked: the attempt is refused, and the address does not count it either.
      expect((await both()).allowed).toBe(false);
      expect((await store.throttle.findThrottle(address))!.failures).toBe(5);
      // An attempt taken back (the password was right) lowers the count, and lifts only the lock it set.
      const other = `ip:back-${backend}`;
      for (let i = 1; i < 20; i++) await limiter().count([{ key: other, policy: ADDRESS_SIGN_IN }]);
      const twentieth = await limiter().count([{ key: other, policy: ADDRESS_SIGN_IN }]);
      expect(twentieth.allowed && twentieth.lockedUntil).toBeTruthy();
      await limiter().uncount(other, twentieth);
      const row = (await store.throttle.findThrottle(other))!;
      expect(row.failures).toBe(19);
      expect(row.locked_until).toBeNull();
    });
  });
});
