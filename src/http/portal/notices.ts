/** The portal's notices: what a redirect may ask the next page to say (`?notice=<code>`), and nothing else. */
export const PORTAL_NOTICES = {
  'signed-out': 'You are signed out.',
  'account-closed': 'Your account is closed. We are sorry to see you go.',
  welcome: 'Your account is active and you are signed in. Welcome!',
  'password-reset': 'Your password was changed; sign in with the new one.',
  'email-changed': 'Your email address was changed.',
  'password-changed': 'Your password was changed. Your other sessions were signed out.',
  'email-sent': 'We sent a confirmation link to the new address. Your email address changes when you follow it.',
  'session-ended': 'Your session has ended. Sign in again to continue.',
  subscribed: 'Your subscription is active. Your keys are below.',
  requested: 'Your request was sent for approval. Your keys appear here once an administrator approves it.',
  cancelled: 'Your subscription was cancelled. Its keys no longer work.',
  'regenerated-primary': 'A new primary key was generated. The previous one no longer works.',
  'regenerated-secondary': 'A new secondary key was generated. The previous one no longer works.',
} as const;

export type PortalNotice = keyof typeof PORTAL_NOTICES;
