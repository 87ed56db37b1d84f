/**
 * The page shell every portal page shares: doctype, language, viewport, title, the header bar with
 * the organization's name and the account links, and the main landmark.
 */
import { SCRIPT_PATH, STYLESHEET_PATH } from './assets.js';
import { signOutForm } from '../web/components.js';
import { html, raw, type SafeHtml } from '../web/html.js';

export interface LayoutInput {
  organizationName: string;
  /** The page's own title, before the organization's name. */
  title: string;
  main: SafeHtml;
  /** The signed-in developer, with the token of this session's forms (for Sign out). */
  signedIn?: { formToken: string } | undefined;
  /** Loads /assets/portal.js (deferred): only pages that enhance themselves with it. */
  script?: boolean;
}

/** The site's sections (beside the brand); the account links are a navigation of their own. */
function sections(input: LayoutInput): SafeHtml {
  return html`<ul>
        <li><a href="/products">Products</a></li>
        ${input.signedIn && html`<li><a href="/subscriptions">My subscriptions</a></li>`}
      </ul>`;
}

function navigation(input: LayoutInput): SafeHtml {
  if (input.signedIn) {
    return html`<ul>
        <li><a href="/profile">Profile</a></li>
        <li>
          ${signOutForm('/signout', input.signedIn.formToken)}
        </li>
      </ul>`;
  }
  return html`<ul>
        <li><a href="/signin">Sign in</a></li>
        <li><a href="/signup">Sign up</a></li>
      </ul>`;
}

export function layout(input: LayoutInput): SafeHtml {
  return html`${raw('<!DOCTYPE html>')}
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${input.title} · ${input.organizationName}</title>
  <link rel="stylesheet" href="${STYLESHEET_PATH}">
  <link rel="icon" href="data:,">
${input.script && html`  <script src="${SCRIPT_PATH}" defer></script>
`}</head>
<body>
  <a class="skip-link" href="#main">Skip to main content</a>
  <header class="site-header">
    <div class="bar">
      <a class="brand" href="/">${input.organizationName}</a>
      <nav aria-label="Main" class="sections">
      ${sections(input)}
      </nav>
      <nav aria-label="Account">
      ${navigation(input)}
      </nav>
    </div>
  </header>
  <main id="main">
${input.main}
  </main>
</body>
</html>
`;
}
