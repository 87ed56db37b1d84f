/**
 * SQLite's WAL checkpoints, off the event loop. By default the commit that fills the WAL past
 * 1,000 pages copies them into the database file and syncs it, synchronously, in the thread that
 * committed: with the gateway in the same event loop, at 100 writes/s that was a stall of up to
 * ~15 ms about once a second. Here a worker thread with its own connection checkpoints every
 * second (PASSIVE: never waits for, nor blocks, readers and writers), and the main connection
 * never does; if the worker stops, the main connection goes back to checkpointing itself.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

const EVERY_MS = 1_000;

// CommonJS, evaluated in the worker: it only needs better-sqlite3.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error && error.message)); }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(connection: SQLite.Database, path: string): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, module, everyMs: EVERY_MS } });
  worker.unref();
  connection.pragma('wal_autocheckpoint = 0');
  let running = true;
  const fallBack = () => {
    if (!running) return;
    running = false;
    if (connection.open) connection.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return {
    async stop() {
      if (!running) return;
      running = false;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Unreferenced, the worker would not keep the process alive until it exits: a CLI command
      // awaiting this at top level would end with an unsettled await (exit code 13).
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
