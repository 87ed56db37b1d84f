/**
 * Products: what a developer subscribes to. A product bundles APIs and is visible to groups; it is
 * `notPublished` (administrators only) until it is published. Bodies of PUT and PATCH, validated.
 */
import { z } from 'zod';
import { text } from './validate.js';

export const PRODUCT_ID_MAX = 256;
export const PRODUCT_DISPLAY_NAME_MAX = 300;
export const PRODUCT_DESCRIPTION_MAX = 1000;
/** Azure gives terms no limit; this only keeps one product from holding megabytes. */
export const PRODUCT_TERMS_MAX = 100_000;
/** API ids (ApiIdRevParameter) and link ids (Product*LinkIdParameter) of the specification. */
export const API_ID_MAX = 256;
export const LINK_ID_MAX = 80;
export const ARM_ID_PATTERN = /^[^*#&+:<>?]+$/;

export const PRODUCT_STATES = ['notPublished', 'published'] as const;
export type ProductState = (typeof PRODUCT_STATES)[number];

const INT32_MAX = 2147483647;

const displayName = text()
  .trim()
  .min(1, 'is required')
  .max(PRODUCT_DISPLAY_NAME_MAX, `must be at most ${PRODUCT_DISPLAY_NAME_MAX} characters`);
const description = text().max(PRODUCT_DESCRIPTION_MAX, `must be at most ${PRODUCT_DESCRIPTION_MAX} characters`).nullable();
const terms = text().max(PRODUCT_TERMS_MAX, `must be at most ${PRODUCT_TERMS_MAX} characters`).nullable();
const flag = z.boolean({ error: 'must be true or false' });
/** null (or omitted on create) = unlimited subscriptions per user. */
const subscriptionsLimit = z
  .number({ error: 'must be a whole number or null' })
  .int('must be a whole number')
  .min(1, 'must be at least 1 (null for unlimited)')
  .max(INT32_MAX, `must be at most ${INT32_MAX}`)
  .nullable();
const state = z.enum(PRODUCT_STATES, { error: `must be one of ${PRODUCT_STATES.join(', ')}` });

const common = {
  description: description.optional(),
  terms: terms.optional(),
  subscriptionRequired: flag.optional(),
  approvalRequired: flag.optional(),
  subscriptionsLimit: subscriptionsLimit.optional(),
  state: state.optional(),
};

export const productCreateInput = z.object({ displayName, ...common });
export type ProductCreateInput = z.output<typeof productCreateInput>;

export const productUpdateInput = z.object({ displayName: displayName.optional(), ...common });
export type ProductUpdateInput = z.output<typeof productUpdateInput>;

/** `{properties:{apiId}}` of an API link: the API's full ARM id (a relative `/apis/{id}` or a bare id is accepted too). */
export const productApiLinkInput = z.object({ apiId: text().min(1, 'is required').max(2000) });
export const productGroupLinkInput = z.object({ groupId: text().min(1, 'is required').max(2000) });
