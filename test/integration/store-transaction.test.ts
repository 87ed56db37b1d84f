/** The transaction mechanism every write relies on: all of it lands, or none of it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, migrateToLatest, openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { createStore, isUniqueViolation, type Store } from '../../src/store/index.js';
import { seed } from '../../src/services/seed.js';
import { systemClock } from '../../src/domain/clock.js';
import { BACKENDS } from '../helpers/server.js';

function userRow(id: string, email: string) {
  const now = new Date().toISOString();
  return {
    id,
    first_name: 'T',
    last_name: 'X',
    email,
    email_lc: email.toLowerCase(),
    state: 'active' as const,
    note: null,
    registration_date: now,
    password_hash: null,
    etag: 'e',
    updated_at: now,
  };
}

describe.each(BACKENDS)('store transactions on %s', (backend) => {
  let database: OpenDatabase;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tx-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    database = await openDatabase(backend === 'sqlite' ? `sqlite:${join(dir, 'tx.db')}` : process.env.TEST_DATABASE_URL!, { schema });
    await migrateToLatest(database.db, database.dialect);
    store = createStore(database.db, database.dialect);
    await seed(store, systemClock);
  });

  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
  });

  it('rolls back every write when the function throws', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.users.insertUser(userRow('rollback', 'rollback@example.com'));
        await tx.groups.addMember('developers', 'rollback', new Date().toISOString());
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.users.findUser('rollback')).toBeUndefined();
    expect(await store.groups.isMember('developers', 'rollback')).toBe(false);
  });

  it('rolls back when the database refuses a later write (unique email)', async () => {
    await store.users.insertUser(userRow('first', 'same@example.com'));
    const error = await store
      .transaction(async (tx) => {
        await tx.groups.addMember('developers', 'first', new Date().toISOString());
        await tx.users.insertUser(userRow('second', 'SAME@example.com'));
      })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await store.users.findUser('second')).toBeUndefined();
    expect(await store.groups.isMember('developers', 'first')).toBe(false);
  });

  it('lets a closed (deleted) account free its email address', async () => {
    await store.users.updateUser('first', { state: 'deleted' });
    await store.users.insertUser(userRow('third', 'same@example.com'));
    expect((await store.users.findLiveUserByEmail('same@example.com'))?.id).toBe('third');
  });

  it('commits everything when the function returns', async () => {
    await store.transaction(async (tx) => {
      await tx.users.insertUser(userRow('committed', 'committed@example.com'));
      await tx.groups.addMember('developers', 'committed', new Date().toISOString());
    });
    expect(await store.users.findUser('committed')).toBeDefined();
    expect(await store.groups.isMember('developers', 'committed')).toBe(true);
  });
});
