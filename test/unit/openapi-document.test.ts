/** Reading an import's value, and turning the validator's code frames into JSON pointers. */
import { describe, expect, it } from 'vitest';
import { readDocument, refsWhere } from '../../src/domain/openapi/document.js';
import { linePointers, validatorDetail } from '../../src/domain/openapi/error-targets.js';
import { AppError } from '../../src/domain/errors.js';

function refusal(fn: () => unknown): { target?: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.details[0]!;
    throw error;
  }
  throw new Error('not refused');
}

describe('readDocument', () => {
  it('reads YAML for openapi and JSON for the +json and swagger formats', () => {
    expect(readDocument('openapi', 'openapi: 3.0.1\ninfo: {title: t}\n')).toEqual({ openapi: '3.0.1', info: { title: 't' } });
    expect(readDocument('openapi', '{"openapi": "3.1.0"}')).toEqual({ openapi: '3.1.0' });
    expect(readDocument('swagger-json', '{"swagger": "2.0"}')).toEqual({ swagger: '2.0' });
  });

  it('says where a document does not parse', () => {
    expect(refusal(() => readDocument('openapi+json', '{\n"openapi": "3.0.0",\n}'))).toMatchObject({ target: 'value (line 3, column 1)' });
    // V8 names no position for some errors, and YAML reads this text: only the property is named then.
    expect(refusal(() => readDocument('openapi+json', '{"openapi": }'))).toMatchObject({ target: 'value' });
    expect(refusal(() => readDocument('openapi', 'openapi: 3.0.0\nopenapi: 3.0.1\n')).target).toMatch(/^value \(line 2, column \d+\)$/);
    expect(refusal(() => readDocument('openapi', '  ')).target).toBe('value');
    expect(refusal(() => readDocument('openapi', '- a\n- b\n')).target).toBe('value');
  });

  it('checks the version the format promises', () => {
    expect(refusal(() => readDocument('swagger-json', '{"openapi": "3.0.0"}')).target).toBe('/swagger');
    expect(refusal(() => readDocument('openapi+json', '{"swagger": "2.0"}')).target).toBe('/openapi');
    expect(refusal(() => readDocument('openapi', 'openapi: 3.2.0')).target).toBe('/openapi');
  });

  it('refuses external references, pointing at each', () => {
    const doc = JSON.stringify({ openapi: '3.0.0', a: { $ref: '#/ok' }, 'b/c': [{ $ref: 'other.yaml#/x' }] });
    expect(refusal(() => readDocument('openapi+json', doc))).toMatchObject({ target: '/b~1c/0/$ref' });
    expect(refsWhere({ x: { $ref: '#/a' }, y: [{ $ref: '#/a' }] }, (r) => r === '#/a')).toEqual(['/x/$ref', '/y/0/$ref']);
  });

  it("takes a $ref inside example data for data (GitHub's SCIM examples), not for a reference", () => {
    const url = 'https://api.github.com/scim/v2/Users/1';
    const doc = {
      openapi: '3.0.3',
      components: {
        examples: { group: { value: { members: [{ value: '1', $ref: url }] } } },
        schemas: { s: { example: { $ref: url }, 'x-meta': { $ref: url }, properties: { example: { $ref: 'other.yaml' }, 'x-p': { $ref: 'b.yaml' } } } },
      },
      paths: { '/a': { get: { responses: { 200: { examples: { 'application/json': { $ref: url } } } } } } },
    };
    // What is left are the property schemas named `example` and `x-p`: those are references.
    expect(refsWhere(doc, (r) => !r.startsWith('#'))).toEqual(['/components/schemas/s/properties/example/$ref', '/components/schemas/s/properties/x-p/$ref']);
    // A reference to an Example Object stays a reference.
    expect(refsWhere({ examples: { a: { $ref: 'ex.yaml' } } }, () => true)).toEqual(['/examples/a/$ref']);
  });
});

describe('linePointers and validatorDetail', () => {
  it('give the pointer of each line of JSON.stringify(value, null, 2)', () => {
    const value = { a: 1, b: { 'c/d': [true, { e: null }], skip: undefined }, f: [], g: {} };
    const printed = JSON.stringify(value, null, 2).split('\n');
    const pointers = linePointers(value);
    expect(pointers).toHaveLength(printed.length);
    expect(printed[pointers.indexOf('/b/c~1d/1/e')]).toMatch(/"e": null/);
    expect(printed[pointers.indexOf('/f')]).toMatch(/"f": \[\]/);
  });

  it('reads the frame line of a validator message', () => {
    const pointers = linePointers({ paths: { '/a': { get: { responses: { 200: { x: 1 } } } } } });
    const message = "REQUIRED must have required property 'description'\n\n   5 |       \"responses\": {\n>  6 |         \"200\": {\n     |                ^ description is missing here!";
    expect(validatorDetail(message, pointers)).toEqual({
      code: 'ValidationError',
      target: '/paths/~1a/get/responses/200',
      message: "REQUIRED must have required property 'description' (description is missing here!)",
    });
    expect(validatorDetail('Something else.', pointers)).toEqual({ code: 'ValidationError', target: 'value', message: 'Something else.' });
  });
});
