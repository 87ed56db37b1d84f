/**
 * Importing real public API descriptions nobody here wrote (test/fixtures/openapi/public: the
 * Petstore in Swagger 2.0, OpenAPI 3.0 JSON and YAML and 3.1, ReadMe's API (3.1) and the Star Trek
 * API (3.0, 120 operations)): every operation of the source document becomes an operation with
 * the name Azure derives from its operationId, its method, and a URL template that is the
 * document's path; an invalid real document (Blockfrost's: `type: null` in 3.0.3) is refused with
 * the validator's findings and nothing is written. The expected values are read from the
 * documents themselves here, independently of the importer's code.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { expectValidationError } from '../helpers/shape.js';
import { azureOperationName, PUBLIC_OPENAPI_FIXTURES, publicFixturePath, type PublicOpenApiFixture } from '../fixtures/openapi/public/index.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const azureName = azureOperationName;

interface SourceOperation {
  name: string;
  method: string;
  path: string;
}

function sourceOperations(doc: Record<string, unknown>): SourceOperation[] {
  const out: SourceOperation[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, { operationId?: string }>>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op?.operationId) out.push({ name: azureName(op.operationId), method: method.toUpperCase(), path });
    }
  }
  return out;
}

const read = (f: PublicOpenApiFixture) => readFileSync(publicFixturePath(f), 'utf8');
const formatOf = (f: PublicOpenApiFixture) => (f.specVersion.startsWith('2') ? 'swagger-json' : f.format === 'yaml' ? 'openapi' : 'openapi+json');

describe.each(BACKENDS)('importing real public API descriptions (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  const valid = PUBLIC_OPENAPI_FIXTURES.filter((f) => f.valid && f.operations > 0);

  it.each(valid.map((f) => [f.name, f] as const))('%s: every operation, named and templated from the document', async (name, fixture) => {
    const text = read(fixture);
    const doc = (fixture.format === 'yaml' ? parseYaml(text) : JSON.parse(text)) as Record<string, unknown>;
    const id = name.replace(/[^a-z0-9]+/g, '');
    const res = await server.request('PUT', `/apis/${id}`, { body: { properties: { format: formatOf(fixture), value: text, path: id } } });
    expect(res.status, res.text.slice(0, 500)).toBe(201);

    const listed = await server.request('GET', `/apis/${id}/operations`, { query: { $top: 1000 } });
    expect(listed.status).toBe(200);
    const ops = listed.json.value as { name: string; properties: { method: string; urlTemplate: string } }[];
    expect(ops).toHaveLength(fixture.operations);

    const byName = new Map(ops.map((o) => [o.name, o.properties]));
    const expected = sourceOperations(doc);
    // Documents whose operationIds are unique map one to one (the Petstore's and these are).
    expect(new Set(expected.map((e) => e.name)).size).toBe(expected.length);
    for (const e of expected) {
      const got = byName.get(e.name);
      expect(got, `${e.method} ${e.path} as ${e.name}`).toBeDefined();
      expect(got!.method).toBe(e.method);
      // The template is the document's path; required query parameters may follow it.
      expect(got!.urlTemplate.split('?')[0]).toBe(e.path);
    }
  });

  it('refuses a real document that does not validate, saying why, and writes nothing', async () => {
    const invalid = PUBLIC_OPENAPI_FIXTURES.find((f) => !f.valid)!;
    const res = await server.request('PUT', '/apis/blockfrost', { body: { properties: { format: formatOf(invalid), value: read(invalid), path: 'blockfrost' } } });
    expectValidationError(res);
    expect(res.json.error.details.length).toBeGreaterThan(0);
    expect((await server.request('GET', '/apis/blockfrost')).status).toBe(404);
  });
});
