/**
 * Azure's four import examples (ApiManagementCreateApiUsing*Import*.json, api-version 2024-05-01)
 * replayed against a real server on each backend.
 *
 * All four name the definition by URL (`openapi-link`, `swagger-link-json`, `swagger-link`), which
 * waits for the definition fetcher: replayed literally, each must answer a clear 400 naming
 * `format`. Each is then replayed with the same request but the definition inline (the `-link`
 * format's inline twin, and a small stand-in of the linked document under
 * test/fixtures/openapi/h4/ with the same title, description and server), expecting 201 then 200
 * as the example lists, our body covering the example's shape, and the values the example shows
 * (displayName, description, serviceUrl, path, protocols, keys).
 *
 * Decisions: the examples' response `name`/`id` say `petstoreapi` for the apiId `petstore` (a
 * defect of the examples): ours are compared with the apiId. `provisioningState` is `InProgress`
 * in the examples (Azure polls); Tollgate finishes within the request. The examples are read from
 * AZURE_APIM_REFERENCE, the repository's copy or the shared reference, the first that has them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { compareShapes, expectValidationError } from '../helpers/shape.js';

const NAMES = [
  'ApiManagementCreateApiUsingImportOverrideServiceUrl.json',
  'ApiManagementCreateApiUsingOai3Import.json',
  'ApiManagementCreateApiUsingOai3ImportWithTranslateRequiredQueryParametersConduct.json',
  'ApiManagementCreateApiUsingSwaggerImport.json',
];
const CANDIDATES = [
  process.env.AZURE_APIM_REFERENCE,
  fileURLToPath(new URL('../fixtures/azure-apim-rest/2024-05-01', import.meta.url)),
  '/work/shared/reference/azure-apim-rest/2024-05-01',
].filter((d): d is string => d !== undefined);
const EXAMPLES = CANDIDATES.map((d) => join(d, 'examples')).find((d) => NAMES.every((n) => existsSync(join(d, n))));

/** The inline twin of each `-link` format, and the stand-in of the document each example links to. */
const INLINE: Record<string, { format: string; fixture: string }> = {
  'swagger-link': { format: 'swagger-json', fixture: 'sample-app-2.0.json' },
  'swagger-link-json': { format: 'swagger-json', fixture: 'swagger-petstore-2.0.json' },
  'openapi-link': { format: 'openapi', fixture: 'oai-petstore-3.0.yaml' },
};

interface Example {
  parameters: { apiId: string; parameters: { properties: Record<string, unknown> } };
  responses: Record<string, { body: { properties: Record<string, unknown> } }>;
}

describe.skipIf(EXAMPLES === undefined).each(BACKENDS)("Azure's import examples (%s)", (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(backend);
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(NAMES)('%s', async (name) => {
    const example = JSON.parse(readFileSync(join(EXAMPLES!, name), 'utf8')) as Example;
    const { apiId } = example.parameters;
    const properties = example.parameters.parameters.properties;
    const put = (props: Record<string, unknown>) => server.request('PUT', `/apis/${apiId}`, { body: { properties: props } });

    const literal = await put(properties);
    expectValidationError(literal, 'format');
    expect(literal.json.error.message).toMatch(/not available yet/);

    const inline = INLINE[String(properties.format)]!;
    const value = readFileSync(new URL(`../fixtures/openapi/h4/${inline.fixture}`, import.meta.url), 'utf8');
    for (const status of ['201', '200']) {
      const res = await put({ ...properties, format: inline.format, value });
      expect(res.status, res.text).toBe(Number(status));
      const expected = example.responses[status]!.body;
      expect(compareShapes(expected, res.json), res.text).toEqual([]);
      expect(res.json.name).toBe(apiId);
      const { provisioningState: _state, ...shown } = expected.properties;
      expect(res.json.properties).toMatchObject(shown);
    }
    const ops = await server.request('GET', `/apis/${apiId}/operations`);
    expect(ops.json.value.length, ops.text).toBeGreaterThan(0);
    await server.request('DELETE', `/apis/${apiId}`, { headers: { 'if-match': '*' } });
  });
});
