/**
 * Sending one email over SMTP (SMTP_URL, e.g. `smtp://user:pass@mail.example.com:587`), with
 * nodemailer. The outbox worker sees only MailTransport, so tests and other transports can stand in.
 */
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The Message-ID header, e.g. `<outbox-id@example.com>`; nodemailer makes one up when absent. */
  messageId?: string;
}

export interface MailTransport {
  /** Resolves once the SMTP server accepted the message, with what it said. */
  send(message: OutgoingEmail): Promise<{ response: string }>;
  close(): void;
}

/**
 * A failed send. The message is scrubbed of the SMTP credentials; `responseCode` (and `response`,
 * `command`, `code`, `permanent`) are nodemailer's when it had them.
 */
export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly response: string | undefined;
  readonly command: string | undefined;
  readonly permanent: boolean | undefined;

  constructor(
    message: string,
    details: { code?: string; responseCode?: number; response?: string; command?: string; permanent?: boolean },
  ) {
    super(message);
    this.code = details.code;
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.permanent = details.permanent;
  }
}

/** Timeouts so that a silent SMTP server cannot hold a delivery (and its lease) for minutes. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 15_000 } as const;

export function createSmtpTransport(smtpUrl: string): MailTransport {
  const scrub = credentialScrubber(smtpUrl);
  // The object form (url plus options) is what reaches the SMTP connection; a second argument to
  // createTransport would only be message defaults.
  const transporter = nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
  return {
    async send(message) {
      try {
        const info = await transporter.sendMail({
          from: message.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          ...(message.messageId ? { messageId: message.messageId } : {}),
        });
        return { response: scrub(String(info.response ?? '')) };
      } catch (error) {
        throw toSendError(error, scrub);
      }
    },
    close() {
      transporter.close();
    },
  };
}

function toSendError(error: unknown, scrub: (text: string) => string): SmtpSendError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    command?: unknown;
    permanent?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return new SmtpSendError(scrub(message), {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.response === 'string' ? { response: scrub(e.response) } : {}),
    ...(typeof e.command === 'string' ? { command: scrub(e.command) } : {}),
    ...(typeof e.permanent === 'boolean' ? { permanent: e.permanent } : {}),
  });
}

/**
 * Removes the URL's credentials from a text, in every form they could appear: `user:pass@` of any
 * URL, the password itself (decoded and as written in the URL) and the base64 of SASL PLAIN/LOGIN.
 */
function credentialScrubber(smtpUrl: string): (text: string) => string {
  const secrets = new Set<string>();
  try {
    const url = new URL(smtpUrl);
    const add = (s: string) => {
      if (s.length >= 3) secrets.add(s);
    };
    const user = safeDecode(url.username);
    const pass = safeDecode(url.password);
    if (url.password) {
      add(url.password);
      add(pass);
      add(Buffer.from(pass).toString('base64'));
      add(Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64'));
      add(`${url.username}:${url.password}`);
    }
  } catch {
    // not a URL nodemailer could use either; the generic pattern below still applies
  }
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = scrubUrlCredentials(text);
    for (const s of ordered) out = out.split(s).join('***');
    return out;
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Removes `user:pass@` from every URL in a text (`smtp://user:pass@host` → `smtp://***@host`), and
 * from a bare `user:pass@host` too.
 */
export function scrubUrlCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1***@')
    .replace(/(^|[\s'"(=,;])[^\s:/@<>'"(=,;]+:[^\s/@<>'"]+@(?=[a-z0-9[])/gi, '$1***@');
}
