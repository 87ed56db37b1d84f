/**
 * Delivers the email outbox. Each run claims due messages with a lease (so that several workers,
 * in one process or many, never take the same message), renders and sends them one by one, and
 * records each outcome at once: a message the SMTP server accepted is marked sent before the next
 * one is touched, so a restart never sends it again. A failed attempt is retried with exponential
 * backoff until `maxAttempts`, then the message is 'dead' until an administrator retries it.
 *
 * Logs name the message, template, attempt and outcome with the SMTP response or error, never the
 * recipient's body, the rendered links (they hold single-use tokens), the params or SMTP credentials.
 */
import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/index.js';
import type { OutboxRow } from '../store/outbox-repo.js';
import { scrubUrlCredentials, type MailTransport } from './smtp-transport.js';

export interface PreparedEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export interface OutboxWorkerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxWorkerOptions {
  store: Store;
  clock: Clock;
  transport: MailTransport;
  /** The From address, e.g. `Tollgate <no-reply@example.com>`. */
  from: string;
  /**
   * Renders a claimed row (templates, links). Throwing marks the attempt failed like a send error;
   * an error with `permanent: true` (a message that can never be sent) makes it 'dead' at once.
   */
  prepare(row: OutboxRow): Promise<PreparedEmail>;
  logger: OutboxWorkerLogger;
  /** Attempts before a message becomes 'dead' (default 8). */
  maxAttempts?: number;
  /** Wait after failed attempt number `attempt` (1-based); default {@link defaultBackoffMs}. */
  backoffMs?: (attempt: number) => number;
  /** How long a claim keeps other workers off a message (default 60 s). */
  leaseMs?: number;
  /** Time between runs started by `start()` (default 1000 ms). */
  pollIntervalMs?: number;
  /** Messages claimed per run (default 10). */
  batchSize?: number;
}

export interface RunResult {
  sent: number;
  failed: number;
}

export interface OutboxWorker {
  /** Runs `runOnce` every pollIntervalMs (sooner after `kick()`) until `stop()`. */
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
  /** Asks a started worker for a run soon (after enqueueing); a no-op when not started. */
  kick(): void;
  /** One run: claims due messages, sends them, records the outcomes. Runs never overlap. */
  runOnce(): Promise<RunResult>;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_BATCH_SIZE = 10;
/** Longest last_error kept. */
export const MAX_ERROR_LENGTH = 500;

/** 30 s · 2^(attempt−1), capped at 1 h, then ±20 % jitter so that failed messages do not retry in step. */
export function defaultBackoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, transport, from, prepare, logger } = options;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffMs = options.backoffMs ?? ((attempt: number) => defaultBackoffMs(attempt));
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const messageIdDomain = domainOf(from);

  async function deliver(row: OutboxRow): Promise<'sent' | 'failed' | 'skipped'> {
    const attempt = row.attempts + 1;
    const about = { messageId: row.id, template: row.template, attempt };

    // Our claim may be old by now (earlier messages of the batch were slow): take a fresh lease,
    // or leave the message alone when the lease ran out and another worker may own it.
    const now = clock.now();
    const renewed =
      row.lease_until !== null &&
      (await store.outbox.renewLease(row.id, row.lease_until, now.toISOString(), new Date(now.getTime() + leaseMs).toISOString()));
    if (!renewed) {
      logger.warn({ ...about, outcome: 'skipped' }, 'outbox: lease ran out before sending; the message is left to the next run');
      return 'skipped';
    }

    let email: PreparedEmail;
    try {
      email = await prepare(row);
    } catch (error) {
      await recordFailure(row, about, error, isPermanent(error));
      return 'failed';
    }

    let response: string;
    try {
      const result = await transport.send({
        from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId: `<${row.id}@${messageIdDomain}>`,
      });
      response = truncate(scrub(result.response));
    } catch (error) {
      // An SMTP refusal, even a 5xx, is retried up to maxAttempts: a rejected mailbox or relay is
      // often a passing misconfiguration.
      await recordFailure(row, about, error, false);
      return 'failed';
    }

    // Accepted: record it before anything else, so that no later run sends it again. When even
    // that fails the lease runs out and the message goes once more: nothing else can be done.
    try {
      await store.outbox.markSent(row.id, clock.now().toISOString(), response);
    } catch (error) {
      logger.error(
        { ...about, outcome: 'sent-unrecorded', smtpResponse: response, error: describe(error) },
        'outbox: email accepted by the SMTP server but not recorded as sent; it may be sent again',
      );
      return 'sent';
    }
    logger.info({ ...about, outcome: 'sent', smtpResponse: response }, 'outbox: email sent');
    return 'sent';
  }

  async function recordFailure(
    row: OutboxRow,
    about: { messageId: string; template: string; attempt: number },
    error: unknown,
    permanent: boolean,
  ): Promise<void> {
    const message = describe(error);
    const responseCode = responseCodeOf(error);
    const dead = permanent || about.attempt >= maxAttempts;
    const at = clock.now();
    const nextAttemptAt = new Date(at.getTime() + Math.max(0, backoffMs(about.attempt))).toISOString();
    const details = {
      ...about,
      outcome: dead ? 'dead' : 'retry',
      error: message,
      ...(responseCode !== undefined ? { responseCode } : {}),
      ...(permanent ? { permanent } : {}),
      ...(dead ? {} : { nextAttemptAt }),
    };
    try {
      await store.outbox.markFailed(row.id, { at: at.toISOString(), error: message, nextAttemptAt, dead });
    } catch (dbError) {
      logger.error({ ...details, dbError: describe(dbError) }, 'outbox: failed attempt could not be recorded; retried when the lease runs out');
      return;
    }
    if (dead) logger.error(details, permanent ? 'outbox: email can never be sent; giving up' : `outbox: email not sent after ${about.attempt} attempts; giving up`);
    else logger.warn(details, 'outbox: email not sent; will retry');
  }

  async function batch(): Promise<RunResult> {
    const now = clock.now();
    const rows = await store.outbox.claimDue(now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), batchSize);
    const result: RunResult = { sent: 0, failed: 0 };
    for (const row of rows) {
      const outcome = await deliver(row);
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'failed') result.failed++;
    }
    return result;
  }

  // Runs are chained, so a direct runOnce() and a timer run never overlap.
  let tail: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<RunResult> {
    const run = tail.then(batch);
    tail = run.catch(() => undefined);
    return run;
  }

  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let looping = false;
  let kicked = false;

  function schedule(delayMs: number): void {
    if (!started) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!started || looping) return;
    looping = true;
    kicked = false;
    let more = false;
    try {
      const result = await runOnce();
      // A full batch that got somewhere: more may be waiting, go on at once.
      more = result.sent > 0 && result.sent + result.failed >= batchSize;
    } catch (error) {
      logger.error({ error: describe(error) }, 'outbox: delivery run failed');
    } finally {
      looping = false;
    }
    schedule(kicked || more ? 0 : pollIntervalMs);
  }

  return {
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await tail;
    },
    kick() {
      if (!started) return;
      if (looping) kicked = true;
      else schedule(0);
    },
    runOnce,
  };
}

/** An error as text fit for logs and last_error: no credentials, no link query strings, bounded. */
function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown } | null;
  let text = typeof e?.message === 'string' ? e.message : String(error);
  if (typeof e?.code === 'string' && !text.includes(e.code)) text = `${e.code}: ${text}`;
  return truncate(scrub(text));
}

function scrub(text: string): string {
  // Query strings and fragments of links may hold single-use tokens.
  return scrubUrlCredentials(text).replace(/(https?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1?…');
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function isPermanent(error: unknown): boolean {
  return (error as { permanent?: unknown } | null)?.permanent === true;
}

function responseCodeOf(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
}

/** The domain of the From address, for Message-IDs (`<outbox id@domain>`). */
function domainOf(address: string): string {
  const match = /@([^\s<>@]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'tollgate.invalid';
}
