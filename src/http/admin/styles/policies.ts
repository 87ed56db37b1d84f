/** The policy editor, its problems with the offending lines, the effective policy, and named values. */
export const POLICIES_CSS = `
/* Policies */
textarea.policy-xml { min-height: 30rem; line-height: 1.45; tab-size: 2; white-space: pre; overflow-wrap: normal; overflow-x: auto; box-sizing: border-box; }
.policy-problems ol { margin: 0.5rem 0 0; padding-left: 1.25rem; }
.policy-problems li { margin: 0 0 0.75rem; }
.policy-problems li > a { font-weight: 600; }
pre.policy-excerpt { margin: 0.375rem 0 0; padding: 0.375rem 0.625rem; background: #ffffff; border: 1px solid #e4b4ae; border-radius: 4px; overflow-x: auto; font-size: 0.8125rem; line-height: 1.4; color: #111827; }
pre.policy-excerpt .gutter { color: #6b7280; user-select: none; }
pre.policy-excerpt .marker { color: #b42318; font-weight: 700; }
pre.policy-view { margin: 0.75rem 0 0; padding: 0.75rem 1rem; background: #f9fafb; border: 1px solid #d1d5db; border-radius: 6px; overflow: auto; max-height: 40rem; font-size: 0.8125rem; line-height: 1.45; tab-size: 2; }
pre.policy-view:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.policy-help, .policy-current { margin: 1rem 0 0; }
.policy-help summary, .policy-current summary { cursor: pointer; font-weight: 600; }
.policy-elements { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0 0; font-size: 0.9375rem; }
.policy-elements dt, .policy-elements dd { margin: 0; }
.effective-picker select { min-width: 20rem; }
td.row-actions { white-space: nowrap; }

/* The Policies section's two pages */
.subnav ul { list-style: none; margin: 0 0 1rem; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem; border-bottom: 1px solid #d1d5db; }
.subnav a { display: inline-block; padding: 0.375rem 0.75rem; color: #1f2937; text-decoration: none; border-bottom: 3px solid transparent; margin-bottom: -1px; }
.subnav a:hover { color: #1d4ed8; border-bottom-color: #93c5fd; }
.subnav a[aria-current="page"] { color: #1d4ed8; font-weight: 600; border-bottom-color: #1d4ed8; }

/* Named values */
table.data.named-values code.named-value { overflow-wrap: anywhere; }
textarea.named-value-input { min-height: 4rem; }
.state.sealed { background: #f5f3ff; border-color: #6d28d9; color: #4c1d95; }
`;
