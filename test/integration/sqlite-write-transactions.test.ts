/**
 * Write transactions on SQLite take the write lock when they begin (src/store/sqlite-dialect.ts).
 * Another process's connection (here a worker thread with its own connection to the file) that
 * commits between a deferred transaction's read and its write makes that write fail with
 * SQLITE_BUSY at once: a management write failed as a 500 while gateway processes recorded traffic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-immediate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One write by another connection that does not wait for the lock: 'committed', or SQLite's error code. */
function writeElsewhere(path: string): Promise<string> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const SQLite = require(workerData.module);
     const db = new SQLite(workerData.path);
     db.pragma('busy_timeout = 0');
     try { db.prepare("insert into notes (body) values ('elsewhere')").run(); parentPort.postMessage('committed'); }
     catch (error) { parentPort.postMessage(String(error.code)); }
     finally { db.close(); }`,
    { eval: true, workerData: { path, module: createRequire(import.meta.url).resolve('better-sqlite3') } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('SQLite write transactions', () => {
  it('hold the write lock from their start: a write elsewhere meanwhile waits, and the transaction that read first still commits', async () => {
    const path = join(dir, 'immediate.db');
    const database = await openDatabase(`sqlite:${path}`);
    try {
      await sql`create table notes (id integer primary key, body text not null)`.execute(database.db);
      await sql`insert into notes (body) values ('first')`.execute(database.db);
      let elsewhere = '';
      await database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ n: number }>`select count(*) as n from notes`.execute(trx);
        elsewhere = await writeElsewhere(path);
        await sql`insert into notes (body) values (${`after ${rows[0]!.n}`})`.execute(trx);
      });
      expect(elsewhere).toBe('SQLITE_BUSY');
      const { rows } = await sql<{ body: string }>`select body from notes order by id`.execute(database.db);
      expect(rows.map((r) => r.body)).toEqual(['first', 'after 1']);
      // Once the transaction is over, the other connection writes as usual.
      expect(await writeElsewhere(path)).toBe('committed');
    } finally {
      await database.close();
    }
  });
});
