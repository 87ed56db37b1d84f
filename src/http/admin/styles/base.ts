/**
 * The admin UI's own layout on top of the portal's stylesheet (same fonts, forms, buttons, alerts
 * and colors, which pass WCAG AA): a wider main column, a section navigation, data tables,
 * toolbars, pagination, state badges and danger zones.
 */
export const BASE_CSS = `
/* Admin UI */
.admin main { max-width: 1200px; }
.admin .site-header { background: #1e1b4b; }
.admin .site-header .bar { max-width: 1200px; }
.admin .brand small { font-weight: 400; opacity: 0.85; margin-left: 0.5rem; }
.admin-nav { background: #ffffff; border-bottom: 1px solid #d1d5db; }
.admin-nav ul { list-style: none; margin: 0 auto; padding: 0 0.5rem; max-width: 1200px; display: flex; flex-wrap: wrap; gap: 0; }
.admin-nav a { display: inline-block; padding: 0.625rem 0.5rem; font-size: 0.9375rem; color: #1f2937; text-decoration: none; border-bottom: 3px solid transparent; }
.admin-nav a:hover { color: #1d4ed8; border-bottom-color: #93c5fd; }
.admin-nav a[aria-current="page"] { color: #1d4ed8; font-weight: 600; border-bottom-color: #1d4ed8; }
.page-head { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; justify-content: space-between; margin: 0 0 1rem; }
.page-head h1 { margin: 0; }
.page-head .actions { margin: 0; }
.panel {
  background: #ffffff; border: 1px solid #d1d5db; border-radius: 8px; padding: 1.25rem; margin: 0 0 1.25rem;
  box-shadow: 0 1px 2px rgba(17, 24, 39, 0.06); overflow-wrap: anywhere;
}
.panel > :last-child { margin-bottom: 0; }
.panel.danger { border-color: #b42318; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1.25rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; margin: 0 0 1rem; }
.toolbar .field { margin: 0; }
.toolbar input[type="search"], .toolbar select, .toolbar input[type="text"], .toolbar input[type="datetime-local"] { min-width: 12rem; }
select, textarea, input[type="search"], input[type="number"], input[type="datetime-local"] {
  display: block; padding: 0.5rem 0.625rem; font: inherit; color: #111827; background: #ffffff;
  border: 1px solid #6b7280; border-radius: 4px;
}
textarea { width: 100%; min-height: 8rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.875rem; }
textarea[aria-invalid="true"], select[aria-invalid="true"] { border-color: #b42318; border-width: 2px; }
table.data { width: 100%; border-collapse: collapse; font-size: 0.9375rem; background: #ffffff; }
table.data caption { text-align: left; font-weight: 600; padding: 0 0 0.5rem; }
table.data th, table.data td { text-align: left; vertical-align: top; padding: 0.5rem 0.625rem; border-bottom: 1px solid #e5e7eb; }
table.data thead th { font-weight: 600; color: #374151; border-bottom-width: 2px; white-space: nowrap; }
table.data tbody tr:hover { background: #f9fafb; }
table.data td.num, table.data th.num { text-align: right; }
table.data .select { width: 2.5rem; }
table.data th a { color: inherit; }
.empty { color: #4b5563; font-style: italic; }
.pagination { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; margin: 1rem 0 0; }
.pagination .muted { margin: 0; }
.state { display: inline-block; padding: 0.0625rem 0.5rem; border-radius: 999px; border: 1px solid; font-size: 0.8125rem; font-weight: 600; white-space: nowrap; }
.state.active, .state.published, .state.sent { background: #ecfdf3; border-color: #067647; color: #054f31; }
.state.pending, .state.submitted, .state.waiting, .state.sending { background: #fffaeb; border-color: #b54708; color: #7a2e0e; }
.state.blocked, .state.rejected, .state.suspended, .state.dead, .state.revoked { background: #fef3f2; border-color: #b42318; color: #7a271a; }
.state.deleted, .state.cancelled, .state.expired, .state.notPublished, .state.system { background: #f3f4f6; border-color: #6b7280; color: #374151; }
.inline { display: inline; margin: 0; }
.button-row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.button-row form { margin: 0; }
fieldset { border: 1px solid #d1d5db; border-radius: 6px; padding: 0.75rem 1rem; margin: 0 0 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
.secret { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: #f3f4f6; border: 1px solid #d1d5db; border-radius: 4px; padding: 0.5rem 0.625rem; display: block; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 1rem; margin: 0 0 1.25rem; }
.stat { background: #ffffff; border: 1px solid #d1d5db; border-radius: 8px; padding: 1rem; }
.stat .value { font-size: 1.75rem; font-weight: 700; display: block; }
.quick-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0; }
.stat a { text-decoration: none; color: inherit; }
.stat a:hover .label { text-decoration: underline; }
`;
