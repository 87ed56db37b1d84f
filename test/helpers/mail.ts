/**
 * Reading the emails a test server sends, as they arrive at the test SMTP server (./smtp.ts):
 * either the test runs the outbox worker itself (`runOutbox`, `emailTo`), or the worker polls on
 * its own and the test waits (`waitForEmail`). One copy, so that every suite waits the same way.
 */
import { expect } from 'vitest';
import type { TestServer } from './server.js';
import type { ReceivedEmail, TestSmtpServer } from './smtp.js';

/** Runs the outbox worker until it has nothing left to send (at most five rounds). */
export async function runOutbox(server: TestServer): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const { sent, failed } = await server.app.outbox!.runOnce();
    if (sent + failed === 0) break;
  }
}

/**
 * Runs the outbox worker until it has nothing left; the one email that arrived for `to` (whose
 * subject matches `subject`, when given). Fails when there is none, or more than one.
 */
export async function emailTo(server: TestServer, smtp: TestSmtpServer, to: string, subject?: RegExp): Promise<ReceivedEmail> {
  await runOutbox(server);
  const mails = smtp.received.filter((m) => m.envelopeTo.includes(to) && (subject === undefined || subject.test(m.subject)));
  expect(mails, subject === undefined ? `emails to ${to}` : `emails to ${to} matching ${subject}`).toHaveLength(1);
  return mails[0]!;
}

/**
 * Waits (at most `timeoutMs`) for an email to `to` among those that arrive after the first `after`
 * (with a subject matching `subject`, when given), for a server whose outbox worker runs by itself.
 */
export async function waitForEmail(
  smtp: TestSmtpServer,
  to: string,
  options: { after?: number; subject?: RegExp; timeoutMs?: number } = {},
): Promise<ReceivedEmail> {
  const { after = 0, subject, timeoutMs = 5000 } = options;
  const start = Date.now();
  for (;;) {
    const mail = smtp.received.slice(after).find((m) => m.envelopeTo.includes(to) && (subject === undefined || subject.test(m.subject)));
    if (mail) return mail;
    if (Date.now() - start > timeoutMs) {
      throw new Error(`no email to ${to}${subject ? ` matching ${subject}` : ''}: ${smtp.received.map((m) => `${m.envelopeTo.join(',')}: ${m.subject}`).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
