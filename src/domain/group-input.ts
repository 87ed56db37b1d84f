import { z } from 'zod';
import { text } from './validate.js';
import { GROUP_DESCRIPTION_MAX, GROUP_DISPLAY_NAME_MAX, GROUP_TYPES } from './group.js';

const displayName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'is required')
  .max(GROUP_DISPLAY_NAME_MAX, `must be at most ${GROUP_DISPLAY_NAME_MAX} characters`);
const description = z
  .string({ error: 'must be a string' })
  .max(GROUP_DESCRIPTION_MAX, `must be at most ${GROUP_DESCRIPTION_MAX} characters`)
  .nullable();
const type = z.enum(GROUP_TYPES, { error: `must be one of ${GROUP_TYPES.join(', ')}` });
const externalId = text().min(1).max(1000).nullable();

export const groupCreateInput = z.object({
  displayName,
  description: description.optional(),
  type: type.optional(),
  externalId: externalId.optional(),
});
export type GroupCreateInput = z.output<typeof groupCreateInput>;

export const groupUpdateInput = z.object({
  displayName: displayName.optional(),
  description: description.optional(),
  type: type.optional(),
  externalId: externalId.optional(),
});
export type GroupUpdateInput = z.output<typeof groupUpdateInput>;
