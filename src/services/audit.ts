/**
 * The audit log's vocabulary: who acts, and the actions it records. Entries are written only by a
 * write (src/services/writes.ts), in the transaction of what they describe; callers pass only what
 * is safe to keep: never passwords, tokens or keys (the detail object is for names and outcomes).
 */

/** Who acts: `user:<id>` (a developer on the portal, or an administrator in the admin UI), `key:<id>` / `key:bootstrap` (the management API), `anonymous`, `system`. */
export interface ActorContext {
  actor: string;
  ip?: string | null;
}

export const SYSTEM: ActorContext = { actor: 'system' };

/** Every action the log knows (the admin UI's search lists them in this order). */
export const AUDIT_ACTIONS = [
  'signin.success',
  'signin.failure',
  'signin.locked',
  'signin.unlocked',
  'signout',
  'signup',
  'signup.limited',
  'signup.confirmed',
  'invitation.accepted',
  'invitation.resent',
  'signup.resent',
  'password.reset-requested',
  'password.reset',
  'password.changed',
  'email.change-requested',
  'email.changed',
  'account.closed',
  'user.created',
  'user.updated',
  'user.state-changed',
  'user.password-set',
  'user.deleted',
  'user.password-reset-sent',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member-added',
  'group.member-removed',
  'product.created',
  'product.updated',
  'product.deleted',
  'product.api-added',
  'product.api-removed',
  'product.group-added',
  'product.group-removed',
  'api.created',
  'api.updated',
  'api.deleted',
  'api.operation-created',
  'api.operation-updated',
  'api.operation-deleted',
  'api.schema-created',
  'api.schema-updated',
  'api.schema-deleted',
  'policy.updated',
  'policy.deleted',
  'named-value.created',
  'named-value.updated',
  'named-value.deleted',
  'quota.updated',
  'subscription.created',
  'subscription.state-changed',
  'subscription.updated',
  'subscription.deleted',
  'subscription.key-regenerated',
  'admin.setup',
  'management-key.refused',
  'management-key.created',
  'management-key.revoked',
  'email-template.updated',
  'email-template.reset',
  'email-template.test-sent',
  'outbox.retried',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
