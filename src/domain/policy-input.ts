/**
 * The body of a policy PUT (PolicyContract): `{properties: {value, format}}`. `xml` (the default)
 * and `rawxml` are inline documents; the `-link` formats name a URL to fetch the document from,
 * which Tollgate refuses (see src/services/policies.ts).
 */
import { z } from 'zod';
import { text } from './validate.js';

export const POLICY_FORMATS = ['xml', 'xml-link', 'rawxml', 'rawxml-link'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];

/** Azure's limit on one policy document (256 KiB); also what keeps one from filling the database. */
export const POLICY_VALUE_MAX = 256 * 1024;

export const policyInput = z.object({
  value: text().min(1, 'is required').max(POLICY_VALUE_MAX, `must be at most ${POLICY_VALUE_MAX} characters`),
  format: z.enum(POLICY_FORMATS, { error: `must be one of ${POLICY_FORMATS.join(', ')}` }).default('xml'),
});
export type PolicyInput = z.output<typeof policyInput>;
