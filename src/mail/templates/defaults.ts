/**
 * Tollgate's built-in email templates: the subject and body each template has until an
 * administrator edits it, and again after a DELETE (which resets it). Written for Tollgate, not
 * copied from Azure: short, friendly, one clear action per mail.
 *
 * Bodies are XHTML documents with inline styles only (email clients drop <style> and external
 * CSS), a single centred column at most 560px wide, the system font stack, and a button-like link
 * for the action with the plain address repeated below it for clients that hide buttons.
 *
 * Conditions in bodies use `and`, `or`, `lt`, `gt`… rather than `&&`, `||`, `<`, `>`, which the body,
 * being XML, cannot contain as they are.
 *
 * Values: `$DevPortalUrl` is the portal's absolute URL without a trailing slash (Tollgate's
 * PUBLIC_URL), unlike Azure where it is a bare host name. `$ConfirmUrl` is the complete one-time
 * link. Link lifetimes quoted in the copy are Tollgate's defaults (invitation, sign-up and email
 * change 48 hours; password reset 60 minutes).
 */
import type { TemplateName } from './catalogue.js';

export interface DefaultContent {
  readonly subject: string;
  readonly body: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";
const ACCENT = '#0b5cad';
const MUTED = '#5f6b7a';

const P = 'margin:0 0 16px;';
const SMALL = `margin:0 0 16px;font-size:14px;line-height:1.5;color:${MUTED};`;

function page(title: string, heading: string, content: readonly string[], footer: string): string {
  return [
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${title}</title>`,
    '</head>',
    '<body style="margin:0;padding:0;background-color:#f3f4f6;">',
    `<div style="max-width:560px;margin:0 auto;padding:32px 16px;font-family:${FONT};font-size:16px;line-height:1.6;color:#1f2328;">`,
    '<div style="background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;padding:32px 28px;">',
    `<h1 style="margin:0 0 20px;font-size:22px;line-height:1.3;font-weight:600;color:#111827;">${heading}</h1>`,
    ...content,
    '<p style="margin:24px 0 0;">The $OrganizationName team</p>',
    '</div>',
    `<p style="margin:16px 4px 0;font-size:12px;line-height:1.5;color:${MUTED};">${footer}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const p = (text: string): string => `<p style="${P}">${text}</p>`;
const small = (text: string): string => `<p style="${SMALL}">${text}</p>`;

/** "Hello Ada," or, without a first name, "Hello,". */
const GREETING = p('Hello#if ($DevFirstName) $DevFirstName#end,');

function button(href: string, label: string): string {
  return (
    `<p style="margin:24px 0;"><a href="${href}" style="display:inline-block;padding:12px 24px;` +
    `background-color:${ACCENT};border-radius:6px;color:#ffffff;font-weight:600;text-decoration:none;">${label}</a></p>`
  );
}

function fallbackLink(href: string): string {
  return small(
    `If the button does not work, copy this address into your browser:<br/>` +
      `<a href="${href}" style="color:${ACCENT};word-break:break-all;">${href}</a>`,
  );
}

const portalLink = (label: string): string => `<a href="$DevPortalUrl" style="color:${ACCENT};">${label}</a>`;

const ACCOUNT_FOOTER =
  `You receive this email because you have an account on the ` +
  `<a href="$DevPortalUrl" style="color:${MUTED};">$OrganizationName developer portal</a>.`;

const detailRow = (label: string, value: string): string =>
  `<tr><td style="padding:6px 16px 6px 0;color:${MUTED};white-space:nowrap;vertical-align:top;">${label}</td>` +
  `<td style="padding:6px 0;font-weight:600;">${value}</td></tr>`;

const detailTable = (rows: readonly string[]): string[] => [
  '<table role="presentation" style="border-collapse:collapse;margin:0 0 16px;font-size:15px;">',
  ...rows,
  '</table>',
];

const TH = `text-align:left;padding:8px;border-bottom:2px solid #e5e7eb;font-size:13px;color:${MUTED};`;
const TD = 'padding:8px;border-bottom:1px solid #eef0f2;';

export const DEFAULT_TEMPLATES: Readonly<Record<TemplateName, DefaultContent>> = {
  inviteUserNotificationMessage: {
    subject: 'You are invited to join the $OrganizationName developer portal',
    body: page(
      'Your invitation to $OrganizationName',
      'You are invited',
      [
        GREETING,
        p(
          'An administrator of $OrganizationName has created a developer account for you. ' +
            'Accept the invitation to choose your password and start using our APIs.',
        ),
        button('$ConfirmUrl', 'Accept the invitation'),
        small('This link works for $LinkValidFor and can be used once. If it has expired, ask the administrator for a new invitation.'),
        fallbackLink('$ConfirmUrl'),
      ],
      'You receive this email because an administrator of $OrganizationName invited this address. ' +
        'If you were not expecting it, you can ignore it: no account is activated without you.',
    ),
  },

  confirmSignUpIdentityDefault: {
    subject: 'Please confirm your new $OrganizationName account',
    body: page(
      'Confirm your email address',
      'Confirm your email address',
      [
        GREETING,
        p('Thank you for signing up to the $OrganizationName developer portal. One step is left: confirm that this email address is yours.'),
        button('$ConfirmUrl', 'Confirm my email address'),
        small('This link works for $LinkValidFor and can be used once.'),
        fallbackLink('$ConfirmUrl'),
      ],
      'You receive this email because this address was used to sign up on the ' +
        `<a href="$DevPortalUrl" style="color:${MUTED};">$OrganizationName developer portal</a>. ` +
        'If that was not you, ignore this email and the account will not be activated.',
    ),
  },

  passwordResetIdentityDefault: {
    subject: 'Reset your $OrganizationName password',
    body: page(
      'Reset your password',
      'Reset your password',
      [
        GREETING,
        p('We received a request to reset the password of your $OrganizationName developer account. Choose a new password with the button below.'),
        button('$ConfirmUrl', 'Choose a new password'),
        small('This link works for $LinkValidFor and can be used once.'),
        small('If you did not ask for a new password, ignore this email: your password stays as it is.'),
        fallbackLink('$ConfirmUrl'),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  emailChangeIdentityDefault: {
    subject: 'Confirm your new email address for $OrganizationName',
    body: page(
      'Confirm your new email address',
      'Confirm your new email address',
      [
        GREETING,
        p(
          'You asked to use this address for your $OrganizationName developer account. ' +
            'Confirm it, and we will send your account emails here from now on.',
        ),
        button('$ConfirmUrl', 'Confirm this address'),
        small('This link works for $LinkValidFor and can be used once. Until you confirm, your account keeps its current address.'),
        small('If you did not ask for this change, ignore this email and nothing will change.'),
        fallbackLink('$ConfirmUrl'),
      ],
      'You receive this email because this address was entered as the new address of an account on the ' +
        `<a href="$DevPortalUrl" style="color:${MUTED};">$OrganizationName developer portal</a>.`,
    ),
  },

  newDeveloperNotificationMessage: {
    subject: 'Welcome to the $OrganizationName developer portal',
    body: page(
      'Welcome to $OrganizationName',
      'Welcome aboard',
      [
        GREETING,
        p('Your developer account is ready. Here is how to get started:'),
        '<ol style="margin:0 0 16px;padding-left:24px;">',
        '<li style="margin:0 0 8px;">Browse the APIs and their documentation.</li>',
        '<li style="margin:0 0 8px;">Subscribe to a product to get your subscription keys.</li>',
        '<li style="margin:0 0 8px;">Send your first call with a key in the request.</li>',
        '</ol>',
        button('$DevPortalUrl', 'Open the developer portal'),
        '#if ($DevEmail or $DevUsername)',
        p('Your account:'),
        ...detailTable([
          '#if ($DevEmail)',
          detailRow('Email', '$DevEmail'),
          '#end',
          '#if ($DevUsername)',
          detailRow('User name', '$DevUsername'),
          '#end',
          '#if ($IdentityProvider and $IdentityProvider != "Basic")',
          detailRow('Signs in with', '$IdentityProvider'),
          '#end',
        ]),
        '#end',
      ],
      ACCOUNT_FOOTER,
    ),
  },

  accountClosedDeveloper: {
    subject: 'Your $OrganizationName developer account is closed',
    body: page(
      'Your account is closed',
      'Your account is closed',
      [
        GREETING,
        p(
          'Your account on the $OrganizationName developer portal has been closed. ' +
            'Its subscriptions have ended, and its subscription keys no longer work.',
        ),
        p(`Thank you for building with us. You are welcome back at any time: you can sign up again on the ${portalLink('developer portal')}.`),
        small('If you did not expect this, reply to this email or contact the portal administrators.'),
      ],
      `This is the last email about this account from the <a href="$DevPortalUrl" style="color:${MUTED};">$OrganizationName developer portal</a>.`,
    ),
  },

  passwordResetByAdminNotificationMessage: {
    subject: 'Your $OrganizationName password was reset by an administrator',
    body: page(
      'Your password was reset',
      'Your password was reset',
      [
        GREETING,
        p('An administrator of the $OrganizationName developer portal has set a new password for your account. Your previous password no longer works.'),
        p(
          'To sign in, ask the administrator for the new password, or choose one yourself: ' +
            'select <strong>Forgot password</strong> on the sign-in page and follow the link we email you.',
        ),
        button('$DevPortalUrl', 'Go to the developer portal'),
        small('If you did not expect this change, contact the portal administrators.'),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  purchaseDeveloperNotificationMessage: {
    subject: 'Your subscription to $ProdName is active',
    body: page(
      'Your subscription is active',
      'Your subscription is active',
      [
        GREETING,
        p('Your subscription to <strong>$ProdName</strong> is active, and you can call its APIs now.'),
        ...detailTable([
          detailRow('Product', '$ProdName'),
          '#if ($SubStartDate)',
          detailRow('Started', '$SubStartDate'),
          '#end',
          '#if ($SubTerm)',
          detailRow('Term', '$SubTerm'),
          '#end',
        ]),
        p('Your subscription keys are on your profile page in the developer portal. Keep them secret: anyone with a key can call the APIs as you.'),
        button('$DevPortalUrl', 'See my subscriptions'),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  requestDeveloperNotificationMessage: {
    subject: 'We received your subscription request for $ProdName',
    body: page(
      'Subscription request received',
      'Request received',
      [
        GREETING,
        p('Thank you for your interest in <strong>$ProdName</strong>. Subscriptions to this product are approved by an administrator, and your request is now waiting for review.'),
        p('We will write to you#if ($DevEmail) at $DevEmail#end as soon as it is decided. There is nothing else you need to do.'),
        small(`You can follow the state of your request in the ${portalLink('developer portal')}.`),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  rejectDeveloperNotificationMessage: {
    subject: 'Your subscription request for $ProdName was declined',
    body: page(
      'Subscription request declined',
      'Request declined',
      [
        GREETING,
        p('We are sorry: your request to subscribe to <strong>$ProdName</strong> was declined.'),
        '#if ($SubDeclineReason)',
        `<p style="margin:0 0 16px;padding:12px 16px;border-left:4px solid #e5e7eb;background-color:#f9fafb;">$SubDeclineReason</p>`,
        '#end',
        p(`If you have questions, or your needs change, contact us or look at the other products in the ${portalLink('developer portal')}.`),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  quotaLimitApproachingDeveloperNotificationMessage: {
    subject: 'You are close to your $ProdName quota',
    body: page(
      'Quota almost reached',
      'You are close to your quota',
      [
        GREETING,
        p(
          'Your subscription to <strong>$ProdName</strong> has used most of its quota for the current period. ' +
            'Once the quota is used up, calls are refused until it resets#if ($QuotaResetDate) on <strong>$QuotaResetDate</strong>#end.',
        ),
        '#if ($Apis)',
        '<table role="presentation" style="width:100%;border-collapse:collapse;margin:0 0 16px;font-size:14px;">',
        `<tr><th style="${TH}">API</th><th style="${TH}">Calls</th><th style="${TH}">Bandwidth</th></tr>`,
        '#foreach ($api in $Apis)',
        `<tr><td style="${TD}font-weight:600;">$api.Name</td><td style="${TD}">$api.Calls</td><td style="${TD}">$api.Bandwidth</td></tr>`,
        '#foreach ($operation in $api.Operations)',
        `<tr><td style="${TD}padding-left:24px;">$operation.Name</td><td style="${TD}">$operation.Calls</td><td style="${TD}">$operation.Bandwidth</td></tr>`,
        '#end',
        '#end',
        '</table>',
        '#end',
        p('To avoid interruptions, spread your calls out, cache responses where you can, or ask us about a product with a larger quota.'),
        button('$DevPortalUrl', 'Review my usage'),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  newIssueNotificationMessage: {
    subject: 'We received your issue: $IssueName',
    body: page(
      'Issue received',
      'We received your issue',
      [
        GREETING,
        p('Thank you for reporting <strong>$IssueName</strong>#if ($IssueId) (reference $IssueId)#end. Our API team will look at it and get back to you.'),
        small(`You can follow it in the ${portalLink('developer portal')}.`),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  newCommentNotificationMessage: {
    subject: 'New comment on your issue: $IssueName',
    body: page(
      'New comment on your issue',
      'New comment on your issue',
      [
        GREETING,
        p('$CommenterFirstName $CommenterLastName commented on your issue <strong>$IssueName</strong>:'),
        `<p style="margin:0 0 16px;padding:12px 16px;border-left:4px solid #e5e7eb;background-color:#f9fafb;white-space:pre-wrap;">$CommentText</p>`,
        small(`Reply in the ${portalLink('developer portal')}.`),
      ],
      ACCOUNT_FOOTER,
    ),
  },

  applicationApprovedNotificationMessage: {
    subject: 'Your application $AppName has been approved',
    body: page(
      'Application approved',
      'Your application is approved',
      [
        GREETING,
        p('Good news: your application <strong>$AppName</strong> has been approved and is now listed in the $OrganizationName developer portal.'),
        button('$DevPortalUrl', 'Open the developer portal'),
      ],
      ACCOUNT_FOOTER,
    ),
  },
};
