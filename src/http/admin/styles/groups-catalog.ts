/** The Groups, Products and APIs pages: breadcrumbs, form panels, checkbox rows, the operation form. */
export const GROUPS_CATALOG_CSS = `
/* Groups, products, APIs */
.breadcrumb ol { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem; }
.breadcrumb li + li::before { content: "›"; margin: 0 0.375rem 0 0.125rem; color: #6b7280; }
.breadcrumb li[aria-current="page"] { color: #374151; }
.form-panel { max-width: 760px; }
.form-panel input[type="text"], .form-panel input[type="url"], .form-panel input[type="number"] { width: 100%; }
.form-panel input[type="number"] { max-width: 12rem; }
input[type="url"] {
  display: block; width: 100%; padding: 0.5rem 0.625rem; font: inherit; color: #111827; background: #ffffff;
  border: 1px solid #6b7280; border-radius: 4px;
}
input.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9375rem; }
.field label .optional { font-weight: 400; color: #4b5563; }
textarea.prose-input { font-family: inherit; font-size: 1rem; min-height: 5rem; }
fieldset .field:last-child { margin-bottom: 0; }
.checkbox-row { display: flex; flex-wrap: wrap; gap: 0 1.5rem; }
.checkbox-row .field { margin-bottom: 0.25rem; }
.checkbox + .hint { margin: 0.125rem 0 0 1.6rem; }
.state.custom, .state.external { background: #eff6ff; border-color: #1d4ed8; color: #1e3a8a; }
.panel h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
.panel .toolbar { align-items: flex-end; }
.panel .toolbar .button { min-height: 42px; }
.add-member input[type="email"] { min-width: 20rem; }
.operation-fields { display: grid; grid-template-columns: minmax(10rem, 1.2fr) minmax(7rem, 0.5fr) minmax(12rem, 1.5fr) minmax(8rem, 0.8fr); gap: 0 1rem; align-items: start; }
.operation-fields select, .operation-fields input { width: 100%; height: 2.625rem; }
@media (max-width: 800px) { .operation-fields { grid-template-columns: 1fr; } }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li { padding: 0.25rem 0; }
.confirm { max-width: 760px; }
`;
