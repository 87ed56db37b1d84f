/**
 * The Policies section's two pages, the global policy and the named values, linked to each other
 * under the page's trail (the section navigation has one entry for both).
 */
import { html, raw, type SafeHtml } from '../../web/html.js';

const PAGES = [
  { id: 'global', label: 'Global policy', href: '/admin/policy' },
  { id: 'named-values', label: 'Named values', href: '/admin/named-values' },
] as const;

export function policiesSubnav(current: (typeof PAGES)[number]['id']): SafeHtml {
  return html`<nav class="subnav" aria-label="Policies">
  <ul>${PAGES.map((p) => html`<li><a href="${p.href}"${p.id === current ? raw(' aria-current="page"') : ''}>${p.label}</a></li>`)}</ul>
</nav>`;
}
