/**
 * The API reference's styles, added to the site's stylesheet: method badges (white on colors of
 * at least 4.5:1), status codes, parameter and schema tables (nesting by class, no inline
 * styles), examples and answers in scrolling code blocks, and the Try it form.
 */
export const REFERENCE_CSS = `
/* API reference */
.method-badge {
  display: inline-block; min-width: 4.25rem; padding: 0.1rem 0.5rem; border-radius: 4px; text-align: center;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.8125rem; font-weight: 700; color: #ffffff; background: #374151; vertical-align: baseline;
}
.method-get { background: #1d4ed8; }
.method-post { background: #067647; }
.method-put { background: #b54708; }
.method-patch { background: #6d28d9; }
.method-delete { background: #b42318; }
.count { display: inline-block; margin-left: 0.25rem; padding: 0 0.5rem; border-radius: 999px; background: #e5e7eb; font-size: 0.875rem; color: #374151; }
h3.group { font-size: 1rem; margin: 1.25rem 0 0.5rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #374151; }
.operation-list { list-style: none; margin: 0; padding: 0; }
.operation-list li { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; padding: 0.375rem 0; border-bottom: 1px solid #e5e7eb; }
.operation-list li a { text-decoration: none; display: inline-flex; gap: 0.5rem; align-items: baseline; }
.operation-list li a:hover .name { text-decoration: underline; }
.operation-list .template { color: #4b5563; overflow-wrap: anywhere; }
.endpoint { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: baseline; margin: 0 0 1rem; }
.endpoint code { overflow-wrap: anywhere; font-size: 0.9375rem; }
.card h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
.card h4 { font-size: 0.9375rem; margin: 0.75rem 0 0.5rem; }
table.reference { width: 100%; border-collapse: collapse; font-size: 0.9375rem; margin: 0 0 0.75rem; }
table.reference th, table.reference td { text-align: left; vertical-align: top; padding: 0.375rem 0.5rem; border-bottom: 1px solid #e5e7eb; }
table.reference thead th { font-weight: 600; color: #374151; border-bottom-width: 2px; white-space: nowrap; }
table.reference tbody th { font-weight: 400; white-space: nowrap; }
table.reference td p { margin: 0 0 0.25rem; }
table.reference td p:last-child { margin-bottom: 0; }
code.type { color: #6d28d9; }
.req { color: #b42318; font-weight: 600; font-size: 0.875rem; }
.facts { font-size: 0.875rem; color: #374151; }
.facts.note { color: #7a2e0e; }
.schema-type { margin: 0 0 0.5rem; }
table.schema .depth-1 { padding-left: 1.5rem; }
table.schema .depth-2 { padding-left: 2.5rem; }
table.schema .depth-3 { padding-left: 3.5rem; }
table.schema .depth-4 { padding-left: 4.5rem; }
table.schema .depth-5 { padding-left: 5.5rem; }
table.schema .depth-6 { padding-left: 6.5rem; }
table.schema .depth-7 { padding-left: 7.5rem; }
table.schema .depth-8 { padding-left: 8.5rem; }
table.schema tbody th[class^="depth-"]:not(.depth-0)::before { content: "↳ "; color: #6b7280; }
.representation { margin: 0 0 1rem; padding: 0.75rem 1rem; border: 1px solid #e5e7eb; border-radius: 6px; background: #fcfcfd; }
.representation h4 { margin-top: 0; }
.response { padding-top: 0.25rem; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 4px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 700; border: 1px solid; }
.status-2xx { background: #ecfdf3; border-color: #067647; color: #054f31; }
.status-3xx { background: #eff6ff; border-color: #1d4ed8; color: #1e3a8a; }
.status-4xx { background: #fffaeb; border-color: #b54708; color: #7a2e0e; }
.status-5xx { background: #fef3f2; border-color: #b42318; color: #7a271a; }
figure.example { margin: 0.5rem 0 0; }
figure.example figcaption { font-size: 0.875rem; font-weight: 600; margin: 0 0 0.25rem; }
pre.code {
  margin: 0 0 0.75rem; padding: 0.75rem; max-height: 24rem; overflow: auto;
  background: #111827; color: #f3f4f6; border-radius: 6px; font-size: 0.875rem; line-height: 1.45;
}
pre.code code { font-size: inherit; white-space: pre; }
select, textarea {
  display: block; width: 100%; padding: 0.5rem 0.625rem; font: inherit; color: #111827; background: #ffffff;
  border: 1px solid #6b7280; border-radius: 4px;
}
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.875rem; resize: vertical; }
select[aria-invalid="true"], textarea[aria-invalid="true"] { border-color: #b42318; border-width: 2px; }
.try-it form { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 0 1rem; }
.try-it form > .field:has(textarea), .try-it form > .actions, .try-it form > .field:first-of-type { grid-column: 1 / -1; }
.try-it .field label code { font-weight: 700; }
.try-answer { margin-top: 1.25rem; padding-top: 1rem; border-top: 2px solid #e5e7eb; }
.try-answer h3 { margin-top: 0; }
.try-answer h3:focus { outline: none; }
.answer-headers { margin: 0 0 0.75rem; }
.answer-headers dl { margin-top: 0.5rem; font-size: 0.875rem; }
`;
