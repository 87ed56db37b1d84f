/**
 * Every refusal of a bad definition says where: a JSON pointer into the document, or the line
 * and column of `value` when it does not parse. Broken documents made by hand, one fault each,
 * through readImport (parse, external references, the validator's schema errors and its rules of
 * the specification, which name places in their own notation); the pointers are checked by
 * following them into the document.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { specPointer } from '../../src/domain/openapi/error-targets.js';
import { readImport } from '../../src/services/api-import.js';
import { publicFixture, publicFixturePath } from '../fixtures/openapi/public/index.js';

type Json = Record<string, unknown>;

const info = { title: 't', version: '1' };
const ok = { 200: { description: 'x' } };
const param = (name: string, at: string, extra: Json = {}) => ({ name, in: at, schema: { type: 'string' }, ...extra });

async function refusal(doc: Json | string, format = typeof doc === 'object' && 'swagger' in doc ? 'swagger-json' : 'openapi+json') {
  try {
    await readImport({ format, value: typeof doc === 'string' ? doc : JSON.stringify(doc), translateRequiredQueryParameters: 'template' });
  } catch (error) {
    if (error instanceof AppError) return error.details;
    throw error;
  }
  throw new Error('the document was imported');
}

/** The value a JSON pointer names (RFC 6901), to prove that it names something. */
function at(doc: unknown, pointer: string): unknown {
  if (pointer === '/') return doc;
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

const broken: { fault: string; doc: Json; target: string; says: RegExp }[] = [
  { fault: 'no info', doc: { openapi: '3.0.0', paths: {} }, target: '/', says: /info/ },
  { fault: 'a response description that is a number', doc: { openapi: '3.0.0', info, paths: { '/a': { get: { responses: { 200: { description: 5 } } } } } }, target: '/paths/~1a/get/responses/200/description', says: /string/ },
  { fault: 'a path parameter not declared (3.0)', doc: { openapi: '3.0.0', info, paths: { '/a/{id}': { get: { responses: ok } } } }, target: '/paths/~1a~1{id}/get', says: /missing path parameter/ },
  { fault: 'a path parameter not declared (2.0)', doc: { swagger: '2.0', info, paths: { '/a/{id}': { get: { responses: ok } } } }, target: '/paths/~1a~1{id}/get', says: /missing path parameter/ },
  { fault: 'a path parameter not in the path', doc: { openapi: '3.0.0', info, paths: { '/a': { get: { parameters: [param('id', 'path', { required: true })], responses: ok } } } }, target: '/paths/~1a/get', says: /no corresponding `\{id\}`/ },
  { fault: 'an array without items', doc: { openapi: '3.0.0', info, paths: { '/a': { get: { parameters: [param('x', 'query'), { name: 'q', in: 'query', schema: { type: 'array' } }], responses: ok } } } }, target: '/paths/~1a/get/parameters/1', says: /items/ },
  { fault: 'an optional path parameter', doc: { openapi: '3.0.0', info, paths: { '/a/{id}': { get: { parameters: [param('id', 'path', { required: false })], responses: ok } } } }, target: '/paths/~1a~1{id}/get/parameters/0/in', says: /allowed values|required/ },
  { fault: 'an apiKey scheme without name and in', doc: { openapi: '3.0.0', info, paths: {}, components: { securitySchemes: { key: { type: 'apiKey' } } } }, target: '/components/securitySchemes/key', says: /missing required property/ },
  { fault: 'a $ref to nothing', doc: { openapi: '3.0.0', info, paths: { '/a': { get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } } } } }, target: '/paths/~1a/get/responses/200/content/application~1json/schema/$ref', says: /Missing \$ref pointer/ },
  { fault: 'an external $ref', doc: { openapi: '3.0.0', info, paths: { '/a': { get: { responses: { 200: { $ref: 'https://example.com/r.json' } } } } } }, target: '/paths/~1a/get/responses/200/$ref', says: /refers outside the document/ },
  { fault: 'a wrong version', doc: { openapi: '2.0', info, paths: {} }, target: '/openapi', says: /3\.0\.x or 3\.1\.x/ },
];

describe('where a bad definition is wrong', () => {
  it.each(broken.map((b) => [b.fault, b] as const))('%s', async (_fault, { doc, target, says }) => {
    const details = await refusal(doc);
    expect(details[0]).toMatchObject({ code: 'ValidationError', target });
    expect(details[0]!.message).toMatch(says);
    expect(at(doc, target.replace(/\/\$ref$/, '')), `${target} is in the document`).toBeDefined();
  });

  it('a document that does not parse: the line and column in value', async () => {
    expect((await refusal('{\n  "openapi": "3.0.0",\n  "info": }\n'))[0]!.target).toBe('value (line 3, column 11)');
    const long = `{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},\n "paths": {"/a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, x]}}`;
    expect((await refusal(long))[0]!.target).toBe(`value (line 2, column ${long.split('\n')[1]!.indexOf('x') + 1})`);
    expect((await refusal('{"openapi": "3.0.0",\n  "info": '))[0]!.target).toBe('value (line 2, column 10)');
    expect((await refusal('openapi: 3.0.0\ninfo:\n  title: [\n', 'openapi'))[0]!.target).toMatch(/^value \(line \d+, column \d+\)$/);
  });

  it("a real invalid document (Blockfrost's): every finding is a pointer into it", async () => {
    const details = await refusal(readFileSync(publicFixturePath(publicFixture('blockfrost-3.0-yaml')), 'utf8'), 'openapi');
    expect(details.length).toBeGreaterThan(0);
    for (const d of details) expect(d.target).toMatch(/^\/(paths|components)\/.+\/type$/);
  });
});

describe('specPointer', () => {
  const doc = { paths: { '/a/{id}': { get: { parameters: [{ name: 'x' }, { name: 'q' }] } }, '/a': { get: {} } }, components: { schemas: { 'a/b': {} } } };

  it('takes the longest path the id starts with, and parameters by name', () => {
    expect(specPointer('/paths/a/{id}/get/parameters/q', doc)).toBe('/paths/~1a~1{id}/get/parameters/1');
    expect(specPointer('/paths/a/get', doc)).toBe('/paths/~1a/get');
  });

  it('stops where the id leaves the document, and knows nothing of what is not there', () => {
    expect(specPointer('/paths/a/{id}/get/parameters/nope', doc)).toBe('/paths/~1a~1{id}/get/parameters');
    expect(specPointer('/paths/b/get', doc)).toBeUndefined();
    expect(specPointer('/webhooks/x', doc)).toBeUndefined();
  });
});
