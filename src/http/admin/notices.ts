/**
 * The admin UI's notices: what a redirect may ask the next page to say (`?notice=<code>`), and
 * nothing else. They name no entity: the page they lead to shows which one it is about.
 */
export const ADMIN_NOTICES = {
  // Signing in
  'signed-out': 'You have signed out.',
  'session-ended': 'Your session ended. Sign in again.',
  welcome: 'Welcome: you are the first administrator.',
  // Users
  'user-added': 'The user was added.',
  'user-invited': 'The user was invited: the invitation email is on its way.',
  'user-blocked': 'The user is blocked: their portal sessions have ended and the gateway refuses their keys.',
  'user-activated': 'The user is active again.',
  'user-deleted': 'The user was deleted.',
  'user-deleted-notified': 'The user was deleted, and will be notified by email.',
  'user-already-deleted': 'The user had already been deleted.',
  'reset-sent': 'A password reset email is on its way to the user.',
  'password-set': 'The password is set; the user has been signed out everywhere.',
  'invitation-resent': 'A new invitation is on its way; the link of the previous one no longer works.',
  'member-added': 'The user was added to the group.',
  'member-already': 'The user was a member of the group already.',
  'member-removed': 'The user was removed from the group.',
  'member-not': 'The user was not a member of the group.',
  'bulk-nothing-selected': 'No user was selected: tick the users first, then choose the action.',
  'bulk-no-action': 'Choose the action to apply to the selected users.',
  'bulk-nothing-to-delete': 'No user to delete: the selected users no longer exist.',
  // Groups
  'group-created': 'The group was created.',
  'group-saved': 'The group was saved.',
  'group-deleted': 'The group was deleted.',
  'group-gone': 'The group did not exist any more.',
  // Products
  'product-created': 'The product was created.',
  'product-saved': 'The product was saved.',
  'product-published': 'The product was published.',
  'product-unpublished': 'The product was unpublished: its subscriptions no longer call its APIs.',
  'product-deleted': 'The product was deleted.',
  'product-gone': 'The product did not exist any more.',
  'product-api-added': 'The API was added to the product.',
  'product-api-already': 'The API was in the product already.',
  'product-api-removed': 'The API was removed from the product.',
  'product-api-not': 'The API was not in the product.',
  'product-group-added': 'The product is now visible to the group.',
  'product-group-already': 'The product was visible to the group already.',
  'product-group-removed': 'The group no longer sees the product.',
  'product-group-not': 'The group did not see the product.',
  // APIs
  'api-created': 'The API was created.',
  'api-saved': 'The API was saved.',
  'api-deleted': 'The API was deleted.',
  'api-gone': 'The API did not exist any more.',
  'api-imported': 'The API was created from the definition.',
  'api-reimported': 'The definition was imported: the operations are now the definition\u2019s.',
  'operation-added': 'The operation was added.',
  'operation-deleted': 'The operation was deleted.',
  'operation-gone': 'The operation did not exist any more.',
  // Policies and named values
  'policy-saved': 'The policy was saved: the gateway enforces it.',
  'policy-deleted': 'The policy was deleted: this scope now inherits everything from the scopes around it.',
  'global-policy-deleted': "The global policy was deleted: the gateway now runs Azure's default global policy.",
  'policy-gone': 'There was no policy to delete.',
  'named-value-created': 'The named value was created.',
  'named-value-saved': 'The named value was saved.',
  'named-value-deleted': 'The named value was deleted.',
  'named-value-gone': 'The named value did not exist any more.',
  // Subscriptions
  'subscription-approve': 'Subscription approved: it is active.',
  'subscription-approve-emailed': 'Subscription approved: it is active. The owner was emailed that the subscription is active.',
  'subscription-reject': 'Subscription rejected.',
  'subscription-reject-emailed': 'Subscription rejected. The owner was emailed the reason.',
  'subscription-suspend': 'Subscription suspended: its keys no longer work.',
  'subscription-reactivate': 'Subscription reactivated: its keys work again.',
  'subscription-cancel': 'Subscription cancelled: its keys no longer work.',
  'subscription-primary-regenerated': 'The primary key was regenerated: the previous primary key no longer works.',
  'subscription-secondary-regenerated': 'The secondary key was regenerated: the previous secondary key no longer works.',
  // Email templates and the outbox
  'template-saved': 'The template was saved.',
  'template-reset': 'The template was reset to the default.',
  'template-default': 'The template was already the default.',
  'test-sent': 'A test message is on its way (see the outbox).',
  'email-requeued': 'The email is queued again and will be sent shortly.',
  // Management keys
  'key-revoked': 'The key was revoked: calls made with it are refused.',
} as const;

export type AdminNotice = keyof typeof ADMIN_NOTICES;
