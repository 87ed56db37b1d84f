/** The users list, its bulk actions, and the Add and Invite forms. */
export const USERS_LIST_CSS = `
/* Users: list, bulk actions, Add, Invite */
.users-search input[type="search"] { min-width: 18rem; }
.users-search > a { align-self: center; margin-top: 1.75rem; }
.users-bulk { background: #ffffff; border: 1px solid #d1d5db; border-radius: 8px; padding: 0.75rem 1rem; }
.users-bulk select { min-width: 12rem; }
table.data.users thead th a.sort-link { color: #1d4ed8; text-decoration: none; }
table.data.users thead th a.sort-link:hover { text-decoration: underline; }
table.data.users tbody th { font-weight: 600; min-width: 10rem; }
table.data.users td.email { overflow-wrap: anywhere; }
table.data.users td.date { white-space: nowrap; }
table.data.users .select input { width: 1.1rem; height: 1.1rem; margin: 0.2rem 0 0; }
.users-form-panel { max-width: 640px; }
.users-name-fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 0 1rem; }
.field .users-optional { font-weight: 400; color: #4b5563; }
textarea.note { min-height: 5rem; font-family: inherit; font-size: 1rem; }
.bulk-users { list-style: none; margin: 0 0 1rem; padding: 0; }
.bulk-users li { padding: 0.375rem 0; border-bottom: 1px solid #e5e7eb; }
.bulk-users .who { font-weight: 600; }
fieldset .checkbox + .checkbox { margin-top: 0.5rem; }
`;
