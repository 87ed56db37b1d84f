/**
 * Which email a change causes, recorded in the outbox in the change's own transaction so that
 * nothing is lost. Template names are Azure's; the outbox worker (src/mail/outbox-worker.ts)
 * renders and delivers them.
 */
import type { ServiceDeps } from './deps.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';

export type EmailTemplateName =
  | 'inviteUserNotificationMessage'
  | 'confirmSignUpIdentityDefault'
  | 'newDeveloperNotificationMessage'
  | 'accountClosedDeveloper'
  | 'passwordResetIdentityDefault'
  | 'emailChangeIdentityDefault'
  | 'requestDeveloperNotificationMessage'
  | 'purchaseDeveloperNotificationMessage'
  | 'rejectDeveloperNotificationMessage';

export interface UserEmailOptions {
  appType?: string | undefined;
  /** Template parameters beyond the developer's own (product names, the new address...). */
  extra?: Record<string, string>;
  /** Another address than the user's (an email change is confirmed from the new one). */
  recipient?: string;
}

export async function enqueueUserEmail(
  deps: ServiceDeps,
  tx: Store,
  template: EmailTemplateName,
  user: UserRow,
  options: UserEmailOptions = {},
): Promise<void> {
  await tx.outbox.enqueueEmail({
    id: deps.ids.next(),
    template,
    userId: user.id,
    recipient: options.recipient ?? user.email,
    params: {
      OrganizationName: deps.organizationName,
      DevPortalUrl: deps.publicUrl,
      DevFirstName: user.first_name,
      DevLastName: user.last_name,
      DevEmail: user.email,
      AppType: options.appType ?? 'portal',
      ...options.extra,
    },
    at: deps.clock.now().toISOString(),
  });
}
