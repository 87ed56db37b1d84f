/**
 * Delivering the email outbox over a real SMTP exchange (smtp-server in this process, nodemailer
 * as the client), on a freshly migrated database of each backend. A ManualClock stands in for
 * time, so backoff and leases are tested without sleeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dropSchema, migrateToLatest, openDatabase, type OpenDatabase } from '../../src/store/database.js';
import { createStore, type Store } from '../../src/store/index.js';
import type { OutboxRow } from '../../src/store/outbox-repo.js';
import { ManualClock } from '../../src/domain/clock.js';
import { createSmtpTransport, type MailTransport } from '../../src/mail/smtp-transport.js';
import { createOutboxWorker, defaultBackoffMs, type OutboxWorkerOptions, type PreparedEmail } from '../../src/mail/outbox-worker.js';
import { startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * SQLite always, PostgreSQL too when TEST_DATABASE_URL is set: the rule of BACKENDS in
 * ../helpers/server.ts, which is not imported so that these tests load only the store and mail code.
 */
const BACKENDS: readonly ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

const FROM = 'Tollgate <no-reply@tollgate.example>';
const SMTP_USER = 'mailer';
/** Decoded; in a URL it is written `s3cr3t%2FPa55-word`. */
const SMTP_PASS = 's3cr3t/Pa55-word';
const SMTP_PASS_IN_URL = encodeURIComponent(SMTP_PASS);
/** What must never reach a log line or last_error. */
const NEVER_LOGGED = [SMTP_PASS, SMTP_PASS_IN_URL, 'TOKEN-', 'Lovelace', '<a href'];

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

describe.each(BACKENDS)('email outbox on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-outbox-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const databaseUrl = backend === 'sqlite' ? `sqlite:${join(dir, 'outbox.db')}` : process.env.TEST_DATABASE_URL!;
  const clock = new ManualClock();
  let database: OpenDatabase;
  let store: Store;
  let logs: LogEntry[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    database = await openDatabase(databaseUrl, { schema, poolSize: 4 });
    await migrateToLatest(database.db, database.dialect);
    store = createStore(database.db, database.dialect);
  });

  beforeEach(async () => {
    await database.db.deleteFrom('outbox').execute();
    clock.set('2026-03-01T10:00:00.000Z');
    logs = [];
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    // Whatever happened in the test, nothing secret was logged.
    const logged = JSON.stringify(logs);
    for (const secret of NEVER_LOGGED) expect(logged).not.toContain(secret);
  });

  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchema(process.env.TEST_DATABASE_URL!, schema);
  });

  const logger = {
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };

  async function smtpServer(options?: SmtpServerOptions): Promise<TestSmtpServer> {
    const server = await startSmtpServer(options);
    cleanups.push(() => server.stop());
    return server;
  }

  function transportFor(url: string): MailTransport {
    const transport = createSmtpTransport(url);
    cleanups.push(() => transport.close());
    return transport;
  }

  async function enqueue(id: string): Promise<void> {
    await store.outbox.enqueueEmail({
      id,
      template: 'confirmSignUpIdentityDefault',
      userId: null,
      recipient: `${id}@example.com`,
      params: { DevFirstName: 'Ada', DevLastName: 'Lovelace', DevEmail: `${id}@example.com` },
      at: clock.now().toISOString(),
    });
  }

  /** Renders like the real templates would: a link holding a single-use token. */
  async function prepare(row: OutboxRow): Promise<PreparedEmail> {
    const params = JSON.parse(row.params) as Record<string, string>;
    const link = `https://portal.example/confirm?token=TOKEN-${row.id}`;
    return {
      to: row.recipient,
      subject: `Confirm your account (${row.id})`,
      html: `<p>Dear ${params.DevFirstName} ${params.DevLastName},</p><p><a href="${link}">Confirm</a></p>`,
      text: `Dear ${params.DevFirstName} ${params.DevLastName},\n\nConfirm: ${link}\n`,
    };
  }

  function worker(transport: MailTransport, options: Partial<OutboxWorkerOptions> = {}) {
    return createOutboxWorker({ store, clock, transport, from: FROM, prepare, logger, ...options });
  }

  async function row(id: string): Promise<OutboxRow> {
    const found = await store.outbox.findMessage(id);
    if (!found) throw new Error(`no outbox row ${id}`);
    return found;
  }

  /** A second, independent connection (pool) to the same database, as another process would have. */
  async function secondStore(): Promise<Store> {
    const other = await openDatabase(databaseUrl, { schema, poolSize: 4 });
    cleanups.push(() => other.close());
    return createStore(other.db, other.dialect);
  }

  it('delivers a pending message once, with its HTML and plain-text parts', async () => {
    const smtp = await smtpServer();
    const w = worker(transportFor(smtp.url));
    await enqueue('m1');

    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.envelopeTo).toEqual(['m1@example.com']);
    expect(mail.envelopeFrom).toBe('no-reply@tollgate.example');
    expect(mail.subject).toBe('Confirm your account (m1)');
    expect(mail.html).toContain('<a href="https://portal.example/confirm?token=TOKEN-m1">Confirm</a>');
    expect(mail.text).toContain('Confirm: https://portal.example/confirm?token=TOKEN-m1');
    expect(mail.messageId).toBe('<m1@tollgate.example>');

    const sent = await row('m1');
    expect(sent).toMatchObject({ state: 'sent', sent_at: clock.now().toISOString(), attempts: 1, lease_until: null, last_error: null });
    expect(sent.smtp_response).toMatch(/^250\b/);
    expect(await store.outbox.countPending()).toBe(0);

    // Nothing left to do, however long one waits.
    clock.advance(86_400_000);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);

    expect(logs).toEqual([
      {
        level: 'info',
        obj: { messageId: 'm1', template: 'confirmSignUpIdentityDefault', attempt: 1, outcome: 'sent', smtpResponse: sent.smtp_response },
        msg: expect.any(String),
      },
    ]);
  });

  it('records an attempt while the SMTP server is down and delivers once it is back and the backoff has passed', async () => {
    const smtp = await smtpServer({ listen: false });
    const w = worker(transportFor(smtp.url)); // default backoff: 30 s ± 20 % after the first failure
    await enqueue('down');
    const start = clock.now().getTime();

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row('down');
    expect(failed).toMatchObject({ state: 'pending', attempts: 1, lease_until: null, sent_at: null });
    expect(failed.last_error).toMatch(/ECONNREFUSED/);
    const due = Date.parse(failed.next_attempt_at);
    expect(due - start).toBeGreaterThanOrEqual(24_000);
    expect(due - start).toBeLessThanOrEqual(36_000);
    expect(logs.at(-1)).toMatchObject({ level: 'warn', obj: { messageId: 'down', attempt: 1, outcome: 'retry', nextAttemptAt: failed.next_attempt_at } });

    // Before the backoff time nothing is tried, even with the server back.
    clock.advance(20_000);
    await smtp.start();
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect((await row('down')).attempts).toBe(1);
    expect(smtp.received).toHaveLength(0);

    clock.set(failed.next_attempt_at);
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.map((m) => m.envelopeTo)).toEqual([['down@example.com']]);
    expect(await row('down')).toMatchObject({ state: 'sent', attempts: 2 });

    clock.advance(3_600_000);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('retries after a 451 (temporary) refusal and delivers once', async () => {
    const smtp = await smtpServer();
    smtp.refuse({ code: 451, stage: 'data', times: 1 });
    const w = worker(transportFor(smtp.url), { backoffMs: () => 60_000 });
    await enqueue('greylisted');

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row('greylisted');
    expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/451/);
    expect(failed.next_attempt_at).toBe(new Date(clock.now().getTime() + 60_000).toISOString());
    expect(logs.at(-1)).toMatchObject({ level: 'warn', obj: { outcome: 'retry', responseCode: 451 } });
    expect(smtp.received).toHaveLength(0);

    clock.advance(59_999);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    clock.advance(1);
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.refusals).toBe(1);
    expect(await row('greylisted')).toMatchObject({ state: 'sent', attempts: 2 });
    expect(logs.at(-1)).toMatchObject({ level: 'info', obj: { messageId: 'greylisted', attempt: 2, outcome: 'sent' } });
  });

  it('gives a message up as dead after maxAttempts 550 refusals, keeping the last error; an administrator can retry it', async () => {
    const smtp = await smtpServer();
    smtp.refuse({ code: 550, message: 'No such user here' });
    const w = worker(transportFor(smtp.url), { maxAttempts: 3, backoffMs: (attempt) => attempt * 1000 });
    await enqueue('bounce');

    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
      clock.advance(attempt * 1000);
    }
    const dead = await row('bounce');
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lease_until: null, sent_at: null });
    expect(dead.last_error).toMatch(/550/);
    expect(dead.last_error).toMatch(/No such user here/);
    expect(logs.map((l) => [l.level, (l.obj as { outcome?: string }).outcome])).toEqual([
      ['warn', 'retry'],
      ['warn', 'retry'],
      ['error', 'dead'],
    ]);
    expect(logs.at(-1)).toMatchObject({ obj: { messageId: 'bounce', attempt: 3, responseCode: 550 } });

    clock.advance(86_400_000);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.refusals).toBe(3);
    expect(await store.outbox.countPending()).toBe(0);

    // The mailbox was fixed; an administrator puts the message back.
    smtp.refuse(null);
    expect(await store.outbox.retryDead('bounce', clock.now().toISOString())).toBe(true);
    expect(await store.outbox.retryDead('bounce', clock.now().toISOString())).toBe(false);
    expect(await row('bounce')).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('gives a message up at once when prepare throws a permanent error, without talking to the SMTP server', async () => {
    const smtp = await smtpServer();
    const w = worker(transportFor(smtp.url), {
      prepare: async () => {
        throw Object.assign(new Error('the account is gone; a signup link no longer applies'), { permanent: true });
      },
    });
    await enqueue('gone');

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    expect(await row('gone')).toMatchObject({ state: 'dead', attempts: 1, last_error: 'the account is gone; a signup link no longer applies' });
    expect(logs).toEqual([
      { level: 'error', obj: expect.objectContaining({ messageId: 'gone', attempt: 1, outcome: 'dead', permanent: true }), msg: expect.any(String) },
    ]);
    expect(smtp.received).toHaveLength(0);
  });

  it('delivers a message claimed by a worker that crashed once its lease runs out', async () => {
    const smtp = await smtpServer();
    await enqueue('orphan');
    const now = clock.now();
    // The crashed worker: claimed with a 60 s lease, then never finished.
    const claimed = await store.outbox.claimDue(now.toISOString(), new Date(now.getTime() + 60_000).toISOString(), 10);
    expect(claimed.map((r) => r.id)).toEqual(['orphan']);

    const restarted = worker(transportFor(smtp.url), { store: await secondStore() });
    expect(await restarted.runOnce()).toEqual({ sent: 0, failed: 0 });
    clock.advance(59_999);
    expect(await restarted.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(0);

    clock.advance(1);
    expect(await restarted.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received.map((m) => m.messageId)).toEqual(['<orphan@tollgate.example>']);
    expect(await row('orphan')).toMatchObject({ state: 'sent', lease_until: null });
  });

  it('never sends an accepted message again after a restart', async () => {
    const smtp = await smtpServer();
    await enqueue('once');
    const first = worker(transportFor(smtp.url));
    expect(await first.runOnce()).toEqual({ sent: 1, failed: 0 });
    await first.stop();

    const restarted = worker(transportFor(smtp.url), { store: await secondStore() });
    clock.advance(7 * 86_400_000);
    expect(await restarted.runOnce()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('lets two workers on the same database deliver N messages exactly once each', async () => {
    const smtp = await smtpServer();
    const n = 40;
    for (let i = 0; i < n; i++) await enqueue(`bulk-${String(i).padStart(2, '0')}`);
    const a = worker(transportFor(smtp.url), { batchSize: 7 });
    const b = worker(transportFor(smtp.url), { batchSize: 7, store: await secondStore() });

    const totals = { a: 0, b: 0 };
    for (let round = 0; round < 20 && (await store.outbox.countPending()) > 0; round++) {
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      totals.a += ra.sent;
      totals.b += rb.sent;
      expect(ra.failed + rb.failed).toBe(0);
    }

    expect(totals.a + totals.b).toBe(n);
    expect(smtp.received).toHaveLength(n);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(n);
    const rows = await store.outbox.listOutbox();
    expect(rows.every((r) => r.state === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('does not send a message whose claim ran out during a slow batch (another worker took it)', async () => {
    const smtp = await smtpServer();
    for (const id of ['slow-1', 'slow-2', 'slow-3']) await enqueue(id);
    const other = worker(transportFor(smtp.url), { store: await secondStore() });
    const slow = worker(transportFor(smtp.url), {
      leaseMs: 60_000,
      prepare: async (r) => {
        // Rendering and sending slow-1 and slow-2 take 70 s together: slow-3's claim (60 s) runs
        // out meanwhile, and the other worker takes it.
        if (r.id === 'slow-1') clock.advance(40_000);
        if (r.id === 'slow-2') {
          clock.advance(30_000);
          expect(await other.runOnce()).toEqual({ sent: 1, failed: 0 });
        }
        return prepare(r);
      },
    });

    expect(await slow.runOnce()).toEqual({ sent: 2, failed: 0 });
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual([
      '<slow-1@tollgate.example>',
      '<slow-2@tollgate.example>',
      '<slow-3@tollgate.example>',
    ]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ messageId: 'slow-3', outcome: 'skipped' }) }));
  });

  it('never hands one message to two concurrent claims', async () => {
    const n = 30;
    for (let i = 0; i < n; i++) await enqueue(`race-${String(i).padStart(2, '0')}`);
    const other = await secondStore();
    const now = clock.now().toISOString();
    const lease = new Date(clock.now().getTime() + 60_000).toISOString();

    const claims = await Promise.all([
      store.outbox.claimDue(now, lease, n),
      other.outbox.claimDue(now, lease, n),
      store.outbox.claimDue(now, lease, n),
      other.outbox.claimDue(now, lease, n),
    ]);
    const ids = claims.flat().map((r) => r.id);
    expect(ids).toHaveLength(n);
    expect(new Set(ids).size).toBe(n);
    // Claimed rows come back with their lease; nothing is left to claim while it lives.
    expect(claims.flat().every((r) => r.lease_until === lease)).toBe(true);
    expect(await store.outbox.claimDue(now, lease, n)).toEqual([]);
    expect(await store.outbox.countPending()).toBe(n);
  });

  it('runs on its own once started, soon after kick(), and not after stop()', async () => {
    const smtp = await smtpServer();
    const w = worker(transportFor(smtp.url), { pollIntervalMs: 60_000 });
    w.start();
    cleanups.push(() => w.stop());
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first (empty) run

    await enqueue('kicked');
    w.kick();
    await waitFor(() => smtp.received.length === 1);
    // The server has the message a moment before the worker hears its 250 and records it.
    await w.stop();
    expect((await row('kicked')).state).toBe('sent');

    await enqueue('after-stop');
    w.kick();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.received).toHaveLength(1);
    expect((await row('after-stop')).state).toBe('pending');
  });

  it('authenticates with the credentials of SMTP_URL and logs none of them', async () => {
    const smtp = await smtpServer({ auth: { user: SMTP_USER, pass: SMTP_PASS } });
    const w = worker(transportFor(`smtp://${SMTP_USER}:${SMTP_PASS_IN_URL}@127.0.0.1:${smtp.port}`));
    await enqueue('authed');
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.received[0]?.user).toBe(SMTP_USER);
    expect(JSON.stringify(await row('authed'))).not.toContain(SMTP_PASS_IN_URL);
  });

  it('keeps SMTP credentials out of last_error and the logs when sending fails', async () => {
    // The server refuses the password; then nothing listens at all.
    const smtp = await smtpServer({ auth: { user: SMTP_USER, pass: 'another-password' } });
    const url = `smtp://${SMTP_USER}:${SMTP_PASS_IN_URL}@127.0.0.1:${smtp.port}`;
    const w = worker(transportFor(url), { backoffMs: () => 1000 });
    await enqueue('creds');

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    const refused = await row('creds');
    expect(refused.last_error).toMatch(/535|Invalid login/);

    await smtp.stop();
    clock.advance(1000);
    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    const unreachable = await row('creds');
    expect(unreachable.last_error).toMatch(/ECONNREFUSED/);
    expect(unreachable.attempts).toBe(2);

    for (const text of [refused.last_error, unreachable.last_error, JSON.stringify(logs)]) {
      expect(text).not.toContain(SMTP_PASS);
      expect(text).not.toContain(SMTP_PASS_IN_URL);
    }
  });

  it('scrubs credentials and link tokens from an error text that holds them, and truncates it', async () => {
    const smtp = await smtpServer();
    const w = worker(transportFor(smtp.url), {
      prepare: async (r) => {
        throw new Error(
          `cannot render ${r.id} for smtp://${SMTP_USER}:${SMTP_PASS_IN_URL}@mail.example:587 ` +
            `(link https://portal.example/confirm?token=TOKEN-${r.id}) ${'x'.repeat(2000)}`,
        );
      },
    });
    await enqueue('leaky');

    expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
    const failed = await row('leaky');
    expect(failed.last_error).toContain('smtp://***@mail.example:587');
    expect(failed.last_error).not.toContain(SMTP_PASS_IN_URL);
    expect(failed.last_error).not.toContain('TOKEN-');
    expect(failed.last_error!.length).toBeLessThanOrEqual(500);
    expect(smtp.received).toHaveLength(0);
    expect(logs.at(-1)).toMatchObject({ level: 'warn', obj: { messageId: 'leaky', outcome: 'retry', error: failed.last_error } });
  });
});

describe('default backoff', () => {
  it('doubles from 30 s, is capped at an hour and jitters by ±20 %', () => {
    expect(defaultBackoffMs(1, () => 0.5)).toBe(30_000);
    expect(defaultBackoffMs(2, () => 0.5)).toBe(60_000);
    expect(defaultBackoffMs(4, () => 0.5)).toBe(240_000);
    expect(defaultBackoffMs(8, () => 0.5)).toBe(3_600_000);
    expect(defaultBackoffMs(30, () => 0.5)).toBe(3_600_000);
    expect(defaultBackoffMs(1, () => 0)).toBe(24_000);
    expect(defaultBackoffMs(1, () => 0.999999)).toBeLessThanOrEqual(36_000);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
