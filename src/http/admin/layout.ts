/**
 * The admin UI's page shell: the header bar (organization, "Admin", the administrator and Sign
 * out), the section navigation, and the main landmark.
 */
import { signOutForm } from '../web/components.js';
import { html, raw, type SafeHtml } from '../web/html.js';
import { ADMIN_SCRIPT_PATH, ADMIN_STYLESHEET_PATH } from './assets.js';

/** The sections, in the navigation's order. */
export const SECTIONS = [
  { id: 'home', label: 'Overview', href: '/admin' },
  { id: 'users', label: 'Users', href: '/admin/users' },
  { id: 'groups', label: 'Groups', href: '/admin/groups' },
  { id: 'products', label: 'Products', href: '/admin/products' },
  { id: 'apis', label: 'APIs', href: '/admin/apis' },
  { id: 'policy', label: 'Policies', href: '/admin/policy' },
  { id: 'subscriptions', label: 'Subscriptions', href: '/admin/subscriptions' },
  { id: 'analytics', label: 'Analytics', href: '/admin/analytics' },
  { id: 'templates', label: 'Email templates', href: '/admin/templates' },
  { id: 'outbox', label: 'Outbox', href: '/admin/outbox' },
  { id: 'audit', label: 'Audit log', href: '/admin/audit' },
  { id: 'keys', label: 'Management keys', href: '/admin/keys' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export interface AdminLayoutInput {
  organizationName: string;
  title: string;
  main: SafeHtml;
  /** Which navigation entry is the current one. */
  section?: SectionId | undefined;
  /** The signed-in administrator, with the token of this session's forms. */
  signedIn?: { name: string; formToken: string } | undefined;
}

function navigation(input: AdminLayoutInput): SafeHtml | false {
  if (!input.signedIn) return false;
  return html`<nav class="admin-nav" aria-label="Sections">
    <ul>
      ${SECTIONS.map(
        (s) => html`<li><a href="${s.href}"${s.id === input.section ? raw(' aria-current="page"') : ''}>${s.label}</a></li>`,
      )}
    </ul>
  </nav>`;
}

export function adminLayout(input: AdminLayoutInput): SafeHtml {
  return html`${raw('<!DOCTYPE html>')}
<html lang="en" class="admin">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <meta name="robots" content="noindex">
  <title>${input.title} · Admin · ${input.organizationName}</title>
  <link rel="stylesheet" href="${ADMIN_STYLESHEET_PATH}">
  <link rel="icon" href="data:,">
  <script src="${ADMIN_SCRIPT_PATH}" defer></script>
</head>
<body class="admin">
  <a class="skip-link" href="#main">Skip to main content</a>
  <header class="site-header">
    <div class="bar">
      <a class="brand" href="/admin">${input.organizationName}<small>Admin</small></a>
      ${
        input.signedIn &&
        html`<nav aria-label="Account">
        <ul>
          <li><span>${input.signedIn.name}</span></li>
          <li><a href="/">Developer portal</a></li>
          <li>
            ${signOutForm('/admin/signout', input.signedIn.formToken)}
          </li>
        </ul>
      </nav>`
      }
    </div>
  </header>
  ${navigation(input)}
  <main id="main">
${input.main}
  </main>
</body>
</html>
`;
}
