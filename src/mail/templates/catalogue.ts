/**
 * The 14 email templates of Azure API Management, as Tollgate has them: Azure's names (camelCase in
 * the `templateName` path, PascalCase as the returned name/id), the parameters each template
 * accepts (after Azure's lists, see the API contract notes), and Tollgate's own default subject and
 * body (defaults.ts).
 *
 * Deliberate differences from Azure:
 * - passwordResetByAdminNotificationMessage has no DevPassword: Tollgate never emails a password.
 * - inviteUserNotificationMessage also accepts DevPortalUrl (Azure's does not).
 * - quotaLimitApproachingDeveloperNotificationMessage declares its loop variables `api` and
 *   `operation` next to `Apis`, as Azure lists them; inside the loops they are local anyway.
 * - DevPortalUrl is an absolute URL (https://portal.example.com), not a bare host name.
 */
import { DEFAULT_TEMPLATES } from './defaults.js';

export const TEMPLATE_NAMES = [
  'applicationApprovedNotificationMessage',
  'accountClosedDeveloper',
  'quotaLimitApproachingDeveloperNotificationMessage',
  'newDeveloperNotificationMessage',
  'emailChangeIdentityDefault',
  'inviteUserNotificationMessage',
  'newCommentNotificationMessage',
  'confirmSignUpIdentityDefault',
  'newIssueNotificationMessage',
  'purchaseDeveloperNotificationMessage',
  'passwordResetIdentityDefault',
  'passwordResetByAdminNotificationMessage',
  'rejectDeveloperNotificationMessage',
  'requestDeveloperNotificationMessage',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface TemplateParameter {
  name: string;
  title: string;
  description?: string;
}

export interface TemplateDefinition {
  name: TemplateName;
  /** PascalCase, e.g. 'NewIssueNotificationMessage': what Azure returns as name and in the id. */
  displayName: string;
  title: string;
  description: string;
  subject: string;
  body: string;
  parameters: readonly TemplateParameter[];
}

const param = (name: string, title: string): TemplateParameter => Object.freeze({ name, title });

const ORGANIZATION = param('OrganizationName', 'Organization name');
const PORTAL_URL = param('DevPortalUrl', 'Developer portal URL');
const FIRST_NAME = param('DevFirstName', 'Developer first name');
const LAST_NAME = param('DevLastName', 'Developer last name');
const DEV_EMAIL = param('DevEmail', 'Developer email');
const PORTAL_HOST = param('DevPortalHost', 'Developer portal host name');
const CONFIRM_QUERY = param('ConfirmQuery', 'Query string of the confirmation link');
const PRODUCT_NAME = param('ProdName', 'Product name');

/** The parameters of a template that sends a one-time link. */
const linkParameters = (confirmTitle: string): TemplateParameter[] => [
  FIRST_NAME,
  LAST_NAME,
  param('ConfirmUrl', confirmTitle),
  param('LinkValidFor', 'How long the link works, e.g. "2 days" (set by TOLLGATE_*_LINK_* settings)'),
  PORTAL_HOST,
  CONFIRM_QUERY,
  ORGANIZATION,
  PORTAL_URL,
];

interface Metadata {
  title: string;
  description: string;
  parameters: TemplateParameter[];
}

const METADATA: Record<TemplateName, Metadata> = {
  applicationApprovedNotificationMessage: {
    title: 'Application gallery submission approved (deprecated)',
    description:
      'Sent to a developer whose application was approved for the application gallery. Azure deprecated the application gallery and Tollgate has none: the template is kept so that Azure clients can read and edit it.',
    parameters: [
      param('AppId', 'Application id'),
      param('AppName', 'Application name'),
      FIRST_NAME,
      LAST_NAME,
      ORGANIZATION,
      PORTAL_URL,
    ],
  },
  accountClosedDeveloper: {
    title: 'Developer farewell letter',
    description: 'Sent to a developer after their account is closed.',
    parameters: [FIRST_NAME, LAST_NAME, ORGANIZATION, PORTAL_URL],
  },
  quotaLimitApproachingDeveloperNotificationMessage: {
    title: 'Developer quota limit approaching notification',
    description: 'Sent to a developer when a subscription is close to a usage quota.',
    parameters: [
      FIRST_NAME,
      LAST_NAME,
      PRODUCT_NAME,
      param('SubPrimaryKey', 'Primary subscription key'),
      param('QuotaResetDate', 'Quota reset date'),
      param('Apis', 'APIs close to the quota: a list of { Name, Calls, Bandwidth, Operations } for #foreach'),
      param('api', 'One API of $Apis inside #foreach ($api in $Apis)'),
      param('operation', 'One operation of $api.Operations (a list of { Name, Calls, Bandwidth }) inside #foreach'),
      ORGANIZATION,
      PORTAL_URL,
    ],
  },
  newDeveloperNotificationMessage: {
    title: 'Welcome letter',
    description: 'Sent to a developer once their new account is confirmed and active.',
    parameters: [
      FIRST_NAME,
      LAST_NAME,
      param('DevUsername', 'Developer user name'),
      DEV_EMAIL,
      param('IdentityProvider', 'Identity provider'),
      ORGANIZATION,
      PORTAL_URL,
    ],
  },
  emailChangeIdentityDefault: {
    title: 'Email change confirmation',
    description:
      'Sent to the new address when a developer changes the email address of their account, with a one-time link to confirm it.',
    parameters: linkParameters('Email change confirmation URL'),
  },
  inviteUserNotificationMessage: {
    title: 'Invite user',
    description:
      'Sent when an administrator invites a developer, with a one-time link to accept the invitation and choose a password.',
    parameters: linkParameters('Invitation acceptance URL'),
  },
  newCommentNotificationMessage: {
    title: 'New comment added to an issue (deprecated)',
    description:
      'Sent to a developer when someone comments on an issue they opened. Azure deprecated issues and Tollgate has none: the template is kept so that Azure clients can read and edit it.',
    parameters: [
      FIRST_NAME,
      LAST_NAME,
      param('CommenterFirstName', 'Commenter first name'),
      param('CommenterLastName', 'Commenter last name'),
      param('IssueId', 'Issue id'),
      param('IssueName', 'Issue name'),
      param('CommentText', 'Comment text'),
      ORGANIZATION,
      PORTAL_URL,
    ],
  },
  confirmSignUpIdentityDefault: {
    title: 'New developer account confirmation',
    description: 'Sent to a developer after they sign up, with a one-time link to confirm their email address.',
    parameters: linkParameters('Developer activation URL'),
  },
  newIssueNotificationMessage: {
    title: 'New issue received (deprecated)',
    description:
      'Sent to a developer after they open an issue. Azure deprecated issues and Tollgate has none: the template is kept so that Azure clients can read and edit it.',
    parameters: [FIRST_NAME, LAST_NAME, param('IssueId', 'Issue id'), param('IssueName', 'Issue name'), ORGANIZATION, PORTAL_URL],
  },
  purchaseDeveloperNotificationMessage: {
    title: 'New subscription activated',
    description: 'Sent to a developer when their subscription to a product becomes active.',
    parameters: [
      FIRST_NAME,
      LAST_NAME,
      param('ProdId', 'Product id'),
      PRODUCT_NAME,
      param('SubStartDate', 'Subscription start date'),
      param('SubTerm', 'Subscription term'),
      ORGANIZATION,
      PORTAL_URL,
    ],
  },
  passwordResetIdentityDefault: {
    title: 'Password change confirmation',
    description: 'Sent to a developer who asked to reset their password, with a one-time link to choose a new one.',
    parameters: linkParameters('Password reset URL'),
  },
  passwordResetByAdminNotificationMessage: {
    title: 'Password reset by an administrator',
    description:
      'Sent to a developer when an administrator sets a new password on their account. It never contains the password.',
    parameters: [FIRST_NAME, LAST_NAME, ORGANIZATION, PORTAL_URL],
  },
  rejectDeveloperNotificationMessage: {
    title: 'Subscription request declined',
    description: 'Sent to a developer when an administrator declines their request to subscribe to a product that needs approval.',
    parameters: [FIRST_NAME, LAST_NAME, PRODUCT_NAME, param('SubDeclineReason', 'Reason for declining the subscription'), ORGANIZATION, PORTAL_URL],
  },
  requestDeveloperNotificationMessage: {
    title: 'Subscription request received',
    description: 'Sent to a developer when they ask to subscribe to a product that needs approval.',
    parameters: [FIRST_NAME, LAST_NAME, DEV_EMAIL, PRODUCT_NAME, ORGANIZATION, PORTAL_URL],
  },
};

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export const TEMPLATES: Readonly<Record<TemplateName, TemplateDefinition>> = Object.freeze(
  Object.fromEntries(
    TEMPLATE_NAMES.map((name) => {
      const meta = METADATA[name];
      const content = DEFAULT_TEMPLATES[name];
      const definition: TemplateDefinition = {
        name,
        displayName: pascalCase(name),
        title: meta.title,
        description: meta.description,
        subject: content.subject,
        body: content.body,
        parameters: Object.freeze([...meta.parameters]),
      };
      return [name, Object.freeze(definition)];
    }),
  ) as Record<TemplateName, TemplateDefinition>,
);

const BY_LOWER_CASE = new Map<string, TemplateName>(TEMPLATE_NAMES.map((name) => [name.toLowerCase(), name]));

/** The template named `raw` in either spelling (camelCase or PascalCase), case-insensitively. */
export function findTemplateName(raw: string): TemplateName | undefined {
  return BY_LOWER_CASE.get(raw.toLowerCase());
}
