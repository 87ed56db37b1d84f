/** The import form and its preview: the definition's text area, the list of its problems, the counts. */
export const API_IMPORT_CSS = `
/* Import from OpenAPI */
.import-panel { max-width: 960px; }
.import-panel textarea.code { width: 100%; min-height: 14rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.875rem; }
.definition-source { margin-bottom: 1rem; }
.definition-problems { border: 1px solid #b91c1c; border-left-width: 4px; border-radius: 4px; background: #fef2f2; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.definition-problems h2 { font-size: 1rem; margin: 0 0 0.5rem; color: #7f1d1d; }
.definition-problems ul { margin: 0; padding-left: 1.25rem; }
.definition-problems li { margin: 0.25rem 0; overflow-wrap: anywhere; }
.definition-problems code.where { background: #ffffff; border: 1px solid #fca5a5; border-radius: 3px; padding: 0 0.25rem; }
.import-summary .counts { font-size: 1.125rem; font-weight: 600; }
.panel h2 .count { font-weight: 400; color: #4b5563; }
th code.muted { font-weight: 400; font-size: 0.8125rem; margin-left: 0.25rem; }
.import-created h2 { color: #166534; }
.import-changed h2 { color: #92400e; }
.import-removed h2 { color: #991b1b; }
.export-links { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0; }
`;
