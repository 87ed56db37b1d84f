/**
 * Which email a change causes, recorded in the outbox in the change's own transaction so that
 * nothing is lost. Template names are Azure's; the email issue renders and delivers them.
 */
import type { ServiceDeps } from './deps.js';
import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';

export type EmailTemplateName =
  | 'inviteUserNotificationMessage'
  | 'confirmSignUpIdentityDefault'
  | 'newDeveloperNotificationMessage'
  | 'accountClosedDeveloper'
  | 'passwordResetIdentityDefault';

export async function enqueueUserEmail(
  deps: ServiceDeps,
  tx: Store,
  template: EmailTemplateName,
  user: UserRow,
  appType: string = 'portal',
): Promise<void> {
  await tx.outbox.enqueueEmail({
    id: deps.ids.next(),
    template,
    userId: user.id,
    recipient: user.email,
    params: {
      OrganizationName: deps.organizationName,
      DevPortalUrl: deps.publicUrl,
      DevFirstName: user.first_name,
      DevLastName: user.last_name,
      DevEmail: user.email,
      AppType: appType,
    },
    at: deps.clock.now().toISOString(),
  });
}
