/**
 * A real SMTP server in the test process (smtp-server on 127.0.0.1, no TLS): it parses every
 * message it accepts with mailparser and keeps it, can be told to refuse (at RCPT TO or after
 * DATA, with e.g. 451 or 550), and can be stopped and started again on the same port.
 */
import { freePort } from './net.js';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface ReceivedEmail {
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  /** The user the client authenticated as, if it did. */
  user: string | undefined;
}

export interface Refusal {
  /** SMTP reply code, e.g. 451 (try again later) or 550 (rejected). */
  code: number;
  /** Where to refuse: at RCPT TO (default) or after the message data. */
  stage?: 'rcpt' | 'data';
  /** How many deliveries to refuse before accepting again; unlimited when absent. */
  times?: number;
  message?: string;
}

export interface TestSmtpServer {
  readonly port: number;
  /** smtp://127.0.0.1:<port>, without credentials. */
  readonly url: string;
  /** Every accepted message, in order. */
  readonly received: ReceivedEmail[];
  /** Deliveries refused so far. */
  readonly refusals: number;
  readonly listening: boolean;
  refuse(refusal: Refusal | null): void;
  /** Starts listening (again) on the same port. */
  start(): Promise<void>;
  /** Stops listening; a later start() takes the same port. */
  stop(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Only these credentials are accepted when a client authenticates (authentication stays optional). */
  auth?: { user: string; pass: string };
  /** false: reserve a port but do not listen yet (an SMTP server that is down). Default true. */
  listen?: boolean;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const port = await freePort();
  const received: ReceivedEmail[] = [];
  let refusal: (Refusal & { left: number }) | null = null;
  let refusals = 0;
  let server: SMTPServer | undefined;

  /** The error to answer this delivery with, if it is to be refused at `stage`. */
  function refusalAt(stage: 'rcpt' | 'data'): SMTPServerError | undefined {
    if (!refusal || (refusal.stage ?? 'rcpt') !== stage || refusal.left <= 0) return undefined;
    refusal.left--;
    refusals++;
    const error: SMTPServerError = new Error(refusal.message ?? (refusal.code >= 500 ? 'Mailbox unavailable' : 'Try again later'));
    error.responseCode = refusal.code;
    return error;
  }

  function create(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      closeTimeout: 500,
      disableReverseLookup: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
          callback(null, { user: auth.username });
        } else {
          const error: SMTPServerError = new Error('Invalid username or password');
          error.responseCode = 535;
          callback(error);
        }
      },
      onRcptTo(_address, _session, callback) {
        callback(refusalAt('rcpt') ?? null);
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            const refused = refusalAt('data');
            if (refused) return callback(refused);
            received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: mail.from?.text ?? '',
              to: Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? ''),
              subject: mail.subject ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              text: mail.text ?? '',
              messageId: mail.messageId ?? '',
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
  }

  const handle: TestSmtpServer = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get refusals() {
      return refusals;
    },
    get listening() {
      return server !== undefined;
    },
    refuse(r) {
      refusal = r ? { ...r, left: r.times ?? Number.POSITIVE_INFINITY } : null;
    },
    async start() {
      if (server) return;
      const s = create();
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => {
          s.server.off('error', reject);
          resolve();
        });
      });
      server = s;
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
  if (options.listen !== false) await handle.start();
  return handle;
}
