/** The Subscriptions and Management keys pages: breadcrumbs, a warning alert, the key shown once. */
export const SUBSCRIPTIONS_KEYS_CSS = `
/* Subscriptions and management keys */
.breadcrumb { margin: 0 0 0.5rem; font-size: 0.9375rem; }
.alert.warning { background: #fffaeb; border-color: #b54708; color: #7a2e0e; }
.state-comment { white-space: pre-wrap; }
.panel.key-create { max-width: 40rem; }
.key-once { max-width: 52rem; }
.key-once .secret { font-size: 1rem; margin: 0 0 1rem; user-select: all; }
.button-row .inline { display: inline-flex; }
.subscription-actions .button-row { margin: 0 0 1rem; }
table.data.subscriptions th .muted { font-weight: 400; }
.keys-note { margin: 0.75rem 0 0; }
/* Each key's box and button together, apart from the other key's. */
.key-regenerate { margin: 0 0 1.25rem; }
.key-regenerate .checkbox { margin-bottom: 0.5rem; }
`;
