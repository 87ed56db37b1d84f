/**
 * The public OpenAPI documents of test/fixtures/openapi/public are what the fixtures table says:
 * the same bytes, the recorded operation counts, parsed, validated and dereferenced by
 * @readme/openapi-parser as recorded. The import tests rely on these facts, so they are checked
 * here once rather than assumed there.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import { parse as parseYaml } from 'yaml';
import { PUBLIC_OPENAPI_FIXTURES, publicFixturePath } from '../fixtures/openapi/public/index.js';

type Document = Exclude<Parameters<typeof validate>[0], string>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Operations of a paths (or webhooks) object, counted without the parser: an independent count. */
function countOperations(items: unknown): number {
  let count = 0;
  for (const item of Object.values((items ?? {}) as Record<string, Record<string, unknown> | null>)) {
    for (const method of METHODS) if (item && item[method] !== undefined) count++;
  }
  return count;
}

function hasRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRef);
  if (value && typeof value === 'object') {
    // Only internal references: GitHub's examples carry SCIM's own `"$ref": "https://..."` as data.
    return Object.entries(value).some(([key, inner]) => (key === '$ref' && String(inner).startsWith('#')) || hasRef(inner));
  }
  return false;
}

describe.each(PUBLIC_OPENAPI_FIXTURES.map((f) => [f.name, f] as const))('public OpenAPI fixture %s', (_name, fixture) => {
  const path = publicFixturePath(fixture);
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  // The text, not the path, as an import of a pasted or fetched document would get it
  // (`yaml` reads JSON too). A fresh object each time: dereference() changes it in place.
  const read = () => parseYaml(text, { maxAliasCount: -1 }) as Document;
  // As the import reads them: nothing outside the document is fetched (GitHub's examples hold URLs under `$ref`).
  const options = { resolve: { external: false } };

  it('is the recorded file: size and sha256', () => {
    expect(bytes.length).toBe(fixture.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(fixture.sha256);
  });

  it('parses to the recorded version and operation counts', async () => {
    const doc = read() as unknown as Record<string, unknown>;
    expect(doc.openapi ?? doc.swagger).toBe(fixture.specVersion);
    expect(countOperations(doc.paths)).toBe(fixture.operations);
    expect(countOperations(doc.webhooks)).toBe(fixture.webhookOperations);
    expect(fixture.format === 'json' ? text.trimStart().startsWith('{') : !text.trimStart().startsWith('{')).toBe(true);
  });

  it(`validates as recorded (${fixture.valid ? 'valid' : 'invalid'})`, async () => {
    const result = await validate(read(), options);
    if (fixture.valid) {
      expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    } else {
      expect(result.valid).toBe(false);
      expect(compileErrors(result)).toContain(fixture.invalidBecause);
    }
  });

  // src/services/api-import.ts relies on this: one validate() pass both checks and resolves.
  it('is left by validate() dereferenced in place, as dereference() gives it', async () => {
    const validated = read();
    await validate(validated, { ...options, dereference: { circular: 'ignore' } });
    expect(isDeepStrictEqual(validated, await dereference(read(), { ...options, dereference: { circular: 'ignore' } }))).toBe(true);
  });

  it('dereferences to a document without $ref and with the same operations', async () => {
    const doc = (await dereference(read(), options)) as unknown as Record<string, unknown>;
    expect(countOperations(doc.paths)).toBe(fixture.operations);
    expect(countOperations(doc.webhooks)).toBe(fixture.webhookOperations);
    // Circular schemas would stay as object cycles, not $ref; none of these documents has any $ref left.
    expect(hasRef(doc.paths)).toBe(false);
  });
});

describe('the public fixtures as a set', () => {
  it('cover Swagger 2.0, OpenAPI 3.0 and 3.1, JSON and YAML, webhooks, a 100+ operation API and an invalid real document', () => {
    const versions = new Set(PUBLIC_OPENAPI_FIXTURES.map((f) => f.specVersion.slice(0, 3)));
    expect([...versions].sort()).toEqual(['2.0', '3.0', '3.1']);
    expect(new Set(PUBLIC_OPENAPI_FIXTURES.map((f) => f.format))).toEqual(new Set(['json', 'yaml']));
    expect(PUBLIC_OPENAPI_FIXTURES.some((f) => f.webhookOperations > 0)).toBe(true);
    expect(Math.max(...PUBLIC_OPENAPI_FIXTURES.map((f) => f.operations))).toBeGreaterThan(100);
    expect(PUBLIC_OPENAPI_FIXTURES.some((f) => !f.valid)).toBe(true);
    expect(new Set(PUBLIC_OPENAPI_FIXTURES.map((f) => f.name)).size).toBe(PUBLIC_OPENAPI_FIXTURES.length);
  });
});
