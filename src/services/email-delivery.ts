/**
 * Turns an outbox row into the email to send: the template as it is now (edited or default), the
 * row's parameters, and, for emails that carry a link, a fresh single-use token minted at sending
 * time. Minting here (not when the row is written) means a raw token never rests in the database:
 * it exists only in the message handed to the SMTP server.
 */
import type { OutboxRow } from '../store/outbox-repo.js';
import type { UserRow } from '../store/users-repo.js';
import type { UserState } from '../domain/user.js';
import { findTemplateName } from '../mail/templates/catalogue.js';
import { renderEmail } from '../mail/render/index.js';
import type { PreparedEmail } from '../mail/outbox-worker.js';
import type { ServiceDeps } from './deps.js';
import { isTestMessage, type EmailTemplateService } from './email-templates.js';
import type { TokenPurpose, TokenService } from './tokens.js';

/** A message that can never be sent (its account is gone, say); the worker gives up on it at once. */
export class PermanentEmailError extends Error {
  readonly permanent = true;
}

interface LinkRule {
  purpose: TokenPurpose;
  /** Portal page that consumes the link. */
  path: string;
  /** Account states in which the link still makes sense. */
  states: readonly UserState[];
}

const LINKS: Readonly<Record<string, LinkRule>> = {
  inviteUserNotificationMessage: { purpose: 'invitation', path: '/invitation', states: ['pending'] },
  confirmSignUpIdentityDefault: { purpose: 'signup', path: '/confirm/signup', states: ['pending'] },
  passwordResetIdentityDefault: { purpose: 'password-reset', path: '/reset-password', states: ['active'] },
  emailChangeIdentityDefault: { purpose: 'email-change', path: '/confirm/email', states: ['active'] },
};

export function createEmailPreparer(
  deps: Pick<ServiceDeps, 'store' | 'publicUrl'>,
  parts: { templates: EmailTemplateService; tokens: TokenService },
): (row: OutboxRow) => Promise<PreparedEmail> {
  const portal = new URL(deps.publicUrl);

  return async function prepare(row: OutboxRow): Promise<PreparedEmail> {
    const name = findTemplateName(row.template);
    if (!name) throw new PermanentEmailError(`unknown template ${row.template}`);
    const values: Record<string, unknown> = JSON.parse(row.params) as Record<string, unknown>;
    // A test message from the admin UI carries sample links and belongs to nobody: no token to mint.
    const rule = isTestMessage(values) ? undefined : LINKS[name];
    if (rule) {
      const user: UserRow | undefined = row.user_id ? await deps.store.users.findUser(row.user_id) : undefined;
      if (!user || !rule.states.includes(user.state)) {
        throw new PermanentEmailError(`the account is ${user ? user.state : 'gone'}; a ${rule.purpose} link no longer applies`);
      }
      const data = rule.purpose === 'email-change' ? { email: row.recipient } : undefined;
      const { token } = await deps.store.transaction((tx) => parts.tokens.issue(tx, user.id, rule.purpose, data));
      const query = `token=${encodeURIComponent(token)}`;
      Object.assign(values, {
        ConfirmUrl: `${deps.publicUrl}${rule.path}?${query}`,
        LinkValidFor: describeDuration(parts.tokens.lifetime(rule.purpose)),
        ConfirmQuery: query,
        DevPortalHost: portal.host,
      });
    }
    const content = await parts.templates.contentFor(name);
    return { to: row.recipient, ...renderEmail(content, values) };
  };
}

/** "2 days", "1 hour", "90 minutes": how long a link works, in the email's words. */
export function describeDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0) return unit(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return unit(minutes / 60, 'hour');
  return unit(minutes, 'minute');
}
