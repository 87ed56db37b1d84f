/** Email templates (editor and preview side by side), the outbox and the audit log. */
export const TEMPLATES_OUTBOX_AUDIT_CSS = `
/* Email templates */
.state.customised { background: #eff6ff; border-color: #1d4ed8; color: #1e3a8a; }
.state.default { background: #f3f4f6; border-color: #6b7280; color: #374151; }
.template-editor { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1.25rem; align-items: start; }
@media (max-width: 900px) { .template-editor { grid-template-columns: minmax(0, 1fr); } }
.template-editor .panel { margin: 0 0 1.25rem; }
.template-editor input[type="text"] { width: 100%; box-sizing: border-box; }
textarea.template-body { min-height: 28rem; line-height: 1.45; tab-size: 2; white-space: pre; overflow-wrap: normal; overflow-x: auto; box-sizing: border-box; }
.template-errors { margin: 0.25rem 0 0; padding-left: 1.25rem; }
.template-preview .preview-status { min-height: 1.5rem; margin: 0 0 0.5rem; color: #4b5563; font-size: 0.875rem; }
.preview-frame { display: block; width: 100%; height: 36rem; border: 1px solid #d1d5db; border-radius: 6px; background: #ffffff; }
.template-variables { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
.template-variables dt { margin: 0; }
.template-variables dd { margin: 0; color: #374151; }

/* Outbox */
table.outbox .outbox-error { max-width: 22rem; font-size: 0.8125rem; color: #7a271a; overflow-wrap: anywhere; }
table.outbox td { white-space: normal; }

/* Audit log */
.audit-search { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.75rem 1rem; align-items: end; }
.audit-search .field { margin: 0; min-width: 0; }
.audit-search .field input, .audit-search .field select { width: 100%; min-width: 0; box-sizing: border-box; }
.audit-search .hint { font-size: 0.8125rem; margin: 0 0 0.25rem; }
.audit-detail { margin: 0; font-size: 0.8125rem; }
.audit-detail div { display: flex; gap: 0.375rem; }
.audit-detail dt { font-weight: 600; margin: 0; }
.audit-detail dd { margin: 0; overflow-wrap: anywhere; }
`;
