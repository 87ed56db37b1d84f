/**
 * SQLite's WAL is checkpointed by a worker thread, not by the commits of the event loop that
 * serves the gateway: the main connection never checkpoints, and the pages still reach the
 * database file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite checkpoints', () => {
  it('happen in the worker thread: the committing connection leaves them alone, and the data reaches the file', async () => {
    const path = join(dir, 'wal.db');
    const database = await openDatabase(`sqlite:${path}`);
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(database.db);
      expect(rows[0]?.wal_autocheckpoint).toBe(0);
      await sql`create table filler (id integer primary key, body text not null)`.execute(database.db);
      const before = statSync(path).size;
      // About 4 MB in one commit: 1,000 pages, which the main connection would have checkpointed itself.
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 40; i++) {
          const values = Array.from({ length: 100 }, (_, j) => `(${i * 100 + j}, '${'x'.repeat(1000)}')`).join(',');
          await sql.raw(`insert into filler (id, body) values ${values}`).execute(trx);
        }
      });
      expect(statSync(path).size).toBe(before);
      // The worker checkpoints every second; bounded, so a checkpointer that never runs fails here.
      const deadline = Date.now() + 10_000;
      while (statSync(path).size < before + 3_000_000) {
        if (Date.now() > deadline) throw new Error(`the database file is still ${statSync(path).size} bytes`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await database.close();
    }
  });
});
