/**
 * The audit log: who did what to which account, when and from where. Callers pass only what is safe
 * to keep: never passwords, tokens or keys (the detail object is for names and outcomes).
 */
import type { Store } from '../store/index.js';
import type { ServiceDeps } from './deps.js';

/** Who acts: `user:<id>` (a developer on the portal, or an administrator in the admin UI), `key:<id>` / `key:bootstrap` (the management API), `anonymous`, `system`. */
export interface ActorContext {
  actor: string;
  ip?: string | null;
}

export const SYSTEM: ActorContext = { actor: 'system' };

export type AuditAction =
  | 'signin.success'
  | 'signin.failure'
  | 'signin.locked'
  | 'signin.unlocked'
  | 'signout'
  | 'signup'
  | 'signup.confirmed'
  | 'invitation.accepted'
  | 'invitation.resent'
  | 'signup.resent'
  | 'password.reset-requested'
  | 'password.reset'
  | 'password.changed'
  | 'email.change-requested'
  | 'email.changed'
  | 'account.closed'
  | 'user.created'
  | 'user.updated'
  | 'user.state-changed'
  | 'user.password-set'
  | 'user.deleted'
  | 'user.password-reset-sent'
  | 'group.member-added'
  | 'group.member-removed'
  | 'subscription.created'
  | 'subscription.state-changed'
  | 'subscription.deleted'
  | 'subscription.key-regenerated'
  | 'admin.setup'
  | 'management-key.created'
  | 'management-key.revoked'
  | 'email-template.updated'
  | 'email-template.reset'
  | 'email-template.test-sent'
  | 'outbox.retried';

export async function audit(
  deps: Pick<ServiceDeps, 'clock' | 'ids'>,
  tx: Store,
  ctx: ActorContext,
  action: AuditAction,
  userId: string | null,
  detail?: Record<string, string | number | boolean | null>,
): Promise<void> {
  await tx.audit.appendAudit({
    id: deps.ids.next(),
    at: deps.clock.now().toISOString(),
    actor: ctx.actor,
    action,
    user_id: userId,
    ip: ctx.ip ?? null,
    detail: detail ? JSON.stringify(detail) : null,
  });
}
