/**
 * What a caller may send to create or change a subscription (SubscriptionCreateParameterProperties
 * and SubscriptionUpdateParameterProperties of Azure's specification), as zod schemas.
 */
import { z } from 'zod';
import { text } from './validate.js';
import { SUBSCRIPTION_STATES } from './subscription.js';

export const SUBSCRIPTION_ID_MAX = 256;
/** Azure's SubscriptionEntityIdParameter pattern. */
export const SUBSCRIPTION_ID_PATTERN = /^[^*#&+:<>?]+$/;
export const SUBSCRIPTION_DISPLAY_NAME_MAX = 100;
export const SUBSCRIPTION_KEY_MAX = 256;
export const SUBSCRIPTION_STATE_COMMENT_MAX = 1000;

const reference = text().trim().min(1, 'is required').max(2000, 'is too long');
const key = text()
  .min(1, 'must not be empty')
  .max(SUBSCRIPTION_KEY_MAX, `must be at most ${SUBSCRIPTION_KEY_MAX} characters`);
const state = z.enum(SUBSCRIPTION_STATES, { error: `must be one of ${SUBSCRIPTION_STATES.join(', ')}` });
const allowTracing = z.boolean({ error: 'must be true or false' }).nullable();
/** Whether a value's `yyyy-mm-dd` is a day of the calendar: Date.parse moves 30 February into March. */
function isCalendarDay(v: string): boolean {
  const day = v.slice(0, 10);
  const ms = Date.parse(day);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(day);
}
/** A date-time without an offset is UTC; Date.parse would read it in the server's time zone. */
function withZone(v: string): string {
  return /[T ]/i.test(v) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? `${v}Z` : v;
}
const dateTime = text()
  .refine(
    (v) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(v) && !Number.isNaN(Date.parse(v)) && isCalendarDay(v),
    'must be an ISO 8601 date-time',
  )
  .transform((v) => new Date(withZone(v)).toISOString());

const displayName = text()
  .trim()
  .min(1, 'is required')
  .max(SUBSCRIPTION_DISPLAY_NAME_MAX, `must be at most ${SUBSCRIPTION_DISPLAY_NAME_MAX} characters`);
const stateComment = text().max(SUBSCRIPTION_STATE_COMMENT_MAX, `must be at most ${SUBSCRIPTION_STATE_COMMENT_MAX} characters`);

export const subscriptionCreateInput = z.object({
  /** `/users/{id}` or a full ARM id; absent for a subscription without an owner. */
  ownerId: reference.nullable().optional(),
  scope: reference,
  displayName,
  primaryKey: key.optional(),
  secondaryKey: key.optional(),
  state: state.optional(),
  allowTracing: allowTracing.optional(),
});
export type SubscriptionCreateInput = z.output<typeof subscriptionCreateInput>;

export const subscriptionUpdateInput = z.object({
  ownerId: reference.nullable().optional(),
  scope: reference.optional(),
  expirationDate: dateTime.nullable().optional(),
  displayName: text()
    .trim()
    .max(SUBSCRIPTION_DISPLAY_NAME_MAX, `must be at most ${SUBSCRIPTION_DISPLAY_NAME_MAX} characters`)
    .nullable()
    .optional(),
  primaryKey: key.optional(),
  secondaryKey: key.optional(),
  state: state.optional(),
  stateComment: stateComment.nullable().optional(),
  allowTracing: allowTracing.optional(),
});
export type SubscriptionUpdateInput = z.output<typeof subscriptionUpdateInput>;

/** A developer subscribing on the portal names the subscription. */
export const subscribeInput = z.object({ displayName });
export type SubscribeInput = z.output<typeof subscribeInput>;

/** An administrator rejecting a request gives the reason, which the owner reads in the email. */
export const rejectionInput = z.object({
  reason: text()
    .trim()
    .min(1, 'is required: the owner reads it in the email')
    .max(SUBSCRIPTION_STATE_COMMENT_MAX, `must be at most ${SUBSCRIPTION_STATE_COMMENT_MAX} characters`),
});
