/**
 * Named values: the instance's `{{name}}` constants for policies (apimnamedvalues.json). Bodies of
 * PUT (NamedValueCreateContract) and PATCH (NamedValueUpdateParameters), validated. Values kept
 * in Azure Key Vault are not supported: Tollgate makes no outbound calls to fetch secrets.
 */
import { z } from 'zod';
import { isNamedValueName } from './policy/named-values.js';
import { text } from './validate.js';

export const NAMED_VALUE_ID_MAX = 256;
export const NAMED_VALUE_DISPLAY_NAME_MAX = 256;
export const NAMED_VALUE_VALUE_MAX = 4096;
export const NAMED_VALUE_TAGS_MAX = 32;
export const NAMED_VALUE_TAG_MAX = 256;

/** The specification's rule (letters, digits, '.', '-', '_'), which is also what a policy's `{{...}}` can name. */
const displayName = text()
  .min(1, 'is required')
  .max(NAMED_VALUE_DISPLAY_NAME_MAX, `must be at most ${NAMED_VALUE_DISPLAY_NAME_MAX} characters`)
  .refine(isNamedValueName, 'may contain only letters, digits, period, dash and underscore characters');
/** "It may not be empty or consist only of whitespace." */
const value = text()
  .max(NAMED_VALUE_VALUE_MAX, `must be at most ${NAMED_VALUE_VALUE_MAX} characters`)
  .refine((v) => v.trim() !== '', 'must not be empty or consist only of whitespace');
const tags = z
  .array(text().min(1, 'must not be empty').max(NAMED_VALUE_TAG_MAX, `must be at most ${NAMED_VALUE_TAG_MAX} characters`), {
    error: 'must be an array of strings',
  })
  .max(NAMED_VALUE_TAGS_MAX, `must have at most ${NAMED_VALUE_TAGS_MAX} tags`);
const secret = z.boolean({ error: 'must be true or false' });
/** Accepted by the schema so that a request naming it gets FeatureNotSupported, not a silent drop. */
const keyVault = z.unknown();

export const namedValueCreateInput = z.object({
  displayName,
  value: value.optional(),
  tags: tags.nullable().optional(),
  secret: secret.nullable().optional(),
  keyVault: keyVault.optional(),
});
export type NamedValueCreateInput = z.output<typeof namedValueCreateInput>;

export const namedValueUpdateInput = z.object({
  displayName: displayName.optional(),
  value: value.optional(),
  tags: tags.nullable().optional(),
  secret: secret.nullable().optional(),
  keyVault: keyVault.optional(),
});
export type NamedValueUpdateInput = z.output<typeof namedValueUpdateInput>;
