/**
 * The stylesheet every page of Tollgate starts from (the developer portal's, and the base the admin
 * UI adds its layout to): system fonts, a readable measure, forms, alerts, tables, focus rings.
 */
export const SITE_CSS = `/* Tollgate developer portal */
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 1rem;
  line-height: 1.5;
  color: #1f2937;
  background: #f3f4f6;
}
a { color: #1d4ed8; text-underline-offset: 0.15em; }
a:hover { color: #1e3a8a; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.skip-link { position: absolute; left: -10000px; top: 0; }
.skip-link:focus { left: 1rem; top: 0.5rem; z-index: 10; background: #ffffff; padding: 0.5rem 0.75rem; border-radius: 4px; }

.site-header { background: #111827; color: #f9fafb; }
.site-header .bar {
  max-width: 960px; margin: 0 auto; padding: 0.75rem 1rem;
  display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem;
}
.site-header .brand { color: #f9fafb; font-weight: 700; font-size: 1.125rem; text-decoration: none; }
.site-header .brand:hover { text-decoration: underline; }
.site-header nav ul { list-style: none; margin: 0; padding: 0; display: flex; gap: 1rem; align-items: center; }
.site-header nav a, .site-header nav .link-button { color: #f9fafb; }
.site-header :focus-visible { outline-color: #93c5fd; }
.site-header form { margin: 0; }
.site-header nav.sections { margin-right: auto; }

main { max-width: 960px; margin: 0 auto; padding: 2rem 1rem 3rem; }
.card {
  max-width: 420px; margin: 0 auto 1.5rem; padding: 1.5rem;
  background: #ffffff; border: 1px solid #d1d5db; border-radius: 8px;
  box-shadow: 0 1px 2px rgba(17, 24, 39, 0.06);
  /* Long email addresses and names wrap instead of running out of the card. */
  overflow-wrap: anywhere;
}
.card > :last-child { margin-bottom: 0; }
.card form + p { margin-top: 1rem; }
.card.wide { max-width: 640px; }
.card.broad { max-width: 820px; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; line-height: 1.3; margin: 0 0 0.75rem; }
p { margin: 0 0 1rem; }
.muted { color: #4b5563; }

.field { margin: 0 0 1rem; }
.field label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
.field .hint { color: #4b5563; font-size: 0.875rem; margin: 0 0 0.25rem; }
input[type="text"], input[type="email"], input[type="password"] {
  display: block; width: 100%; padding: 0.5rem 0.625rem;
  font: inherit; color: #111827; background: #ffffff;
  border: 1px solid #6b7280; border-radius: 4px;
}
input[aria-invalid="true"] { border-color: #b42318; border-width: 2px; }
.checkbox { display: flex; gap: 0.5rem; align-items: flex-start; }
.checkbox input { margin-top: 0.3rem; width: 1.1rem; height: 1.1rem; }
.checkbox label { font-weight: 400; }
.field-error { color: #b42318; font-size: 0.9375rem; font-weight: 600; margin: 0.25rem 0 0; }

.button {
  display: inline-block; padding: 0.55rem 1.1rem; min-height: 44px;
  font: inherit; font-weight: 600; color: #ffffff; background: #1d4ed8;
  border: 2px solid #1d4ed8; border-radius: 6px; cursor: pointer; text-decoration: none;
}
.button:hover { background: #1e40af; border-color: #1e40af; color: #ffffff; }
.button.secondary { color: #1d4ed8; background: #ffffff; }
.button.secondary:hover { background: #eff6ff; color: #1e3a8a; }
.button.danger { background: #b42318; border-color: #b42318; }
.button.danger:hover { background: #912018; border-color: #912018; }
.link-button { background: none; border: 0; padding: 0; font: inherit; color: #1d4ed8; text-decoration: underline; cursor: pointer; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin-top: 1.25rem; }
.links { margin-top: 1.25rem; padding-top: 1rem; border-top: 1px solid #e5e7eb; }
.links p { margin: 0 0 0.5rem; }

.alert { border-radius: 6px; padding: 0.75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.alert p { margin: 0; }
.alert ul { margin: 0.5rem 0 0; padding-left: 1.25rem; }
.alert.error { background: #fef3f2; border-color: #b42318; color: #7a271a; }
.alert.error a { color: #7a271a; }
.alert.success { background: #ecfdf3; border-color: #067647; color: #054f31; }
.alert.info { background: #eff6ff; border-color: #1d4ed8; color: #1e3a8a; }

dl.details { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 0.5rem; }
dl.details dt { font-weight: 600; }
dl.details dd { margin: 0; overflow-wrap: anywhere; }

code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.875em; }
.prose { white-space: pre-line; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
.breadcrumb { margin: 0 0 0.5rem; font-size: 0.9375rem; }
.tags { margin: 0 0 0.75rem; }
.tag {
  display: inline-block; padding: 0.125rem 0.625rem; border-radius: 999px; border: 1px solid;
  font-size: 0.875rem; font-weight: 600; line-height: 1.4;
}
.tag.success { background: #ecfdf3; border-color: #067647; color: #054f31; }
.tag.warning { background: #fffaeb; border-color: #b54708; color: #7a2e0e; }
.tag.neutral { background: #f3f4f6; border-color: #6b7280; color: #374151; }

.product-list { list-style: none; margin: 0; padding: 0; }
.product-list .product { padding: 1rem 0; border-top: 1px solid #e5e7eb; }
.product-list .product:last-child { padding-bottom: 0; }
.product-list h2 { margin-bottom: 0.375rem; }
.product-list .product > :last-child { margin-bottom: 0; }
.terms { max-height: 20rem; overflow-y: auto; padding: 0.75rem 1rem; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 6px; }
.terms p { margin: 0; }

.api { padding-top: 1rem; margin-top: 1rem; border-top: 1px solid #e5e7eb; }
.api h3 { font-size: 1rem; margin: 0 0 0.5rem; }
.table-scroll { overflow-x: auto; }
table.operations { width: 100%; border-collapse: collapse; font-size: 0.9375rem; }
table.operations th, table.operations td { text-align: left; vertical-align: top; padding: 0.375rem 0.5rem; border-bottom: 1px solid #e5e7eb; }
table.operations th { font-weight: 600; color: #374151; border-bottom-width: 2px; white-space: nowrap; overflow-wrap: normal; }
table.operations td:nth-child(2) { white-space: nowrap; }
table.operations td code { overflow-wrap: anywhere; }
.method { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-weight: 700; font-size: 0.8125rem; }

.keys { margin: 1rem 0 0; }
.key { margin: 0 0 0.75rem; }
.key-label { font-weight: 600; }
.key-head { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; margin: 0 0 0.25rem; }
.key-head .key-label { margin: 0; }
details > summary { cursor: pointer; color: #1d4ed8; text-decoration: underline; text-underline-offset: 0.15em; width: max-content; }
.key-value {
  display: block; margin-top: 0.375rem; padding: 0.5rem 0.625rem;
  background: #f3f4f6; border: 1px solid #d1d5db; border-radius: 4px; overflow-wrap: anywhere;
}
.button.small { min-height: 32px; padding: 0.2rem 0.75rem; font-size: 0.875rem; }
details.manage { margin-top: 1rem; padding-top: 0.75rem; border-top: 1px solid #e5e7eb; }
details.manage[open] > summary { margin-bottom: 0.75rem; }
.inline-form { margin: 0 0 1rem; padding: 0.75rem; border: 1px solid #e5e7eb; border-radius: 6px; }
.inline-form .field { margin-bottom: 0.5rem; }

@media (max-width: 480px) {
  main { padding: 1rem 0.5rem 2rem; }
  .card { padding: 1rem; }
  dl.details { grid-template-columns: 1fr; }
  dl.details dd { margin-bottom: 0.5rem; }
}
@media (prefers-reduced-motion: no-preference) {
  .button { transition: background-color 0.15s ease-in-out; }
}
`;

/** A strong validator, so a browser revalidates the stylesheet cheaply. */
