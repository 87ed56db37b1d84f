/** The page of one user and its action pages. */
export const USERS_DETAIL_CSS = `
/* Users: one user's page */
ul.identities { list-style: none; margin: 0; padding: 0; }
.user-actions .button-row + p { margin-top: 0.75rem; }
.add-group { margin: 1rem 0 0; }
.add-group .button { align-self: flex-end; }
.audit-trail td { overflow-wrap: break-word; }
.audit-trail td:first-child, .audit-trail td:nth-child(2), .audit-trail code { white-space: nowrap; }
table.data.audit-trail caption { font-weight: 400; }
.user-action { max-width: 44rem; }
.user-action .actions a:not(.button) { margin-left: 0.25rem; }
`;
