/**
 * Azure's four import examples (ApiManagementCreateApiUsing*Import*.json, api-version 2024-05-01)
 * replayed against a real server on each backend.
 *
 * All four name the definition by URL (`openapi-link`, `swagger-link-json`, `swagger-link`) on the
 * internet, which tests cannot reach: each is replayed as it is with the URL pointing at a local
 * HTTP server that serves a small stand-in of the linked document (test/fixtures/openapi/h4/, the
 * same title, description and server), then with the definition inline (the `-link` format's
 * inline twin), expecting 201 then 200 as the example lists, our body covering the example's
 * shape, and the values the example shows (displayName, description, serviceUrl, path, protocols,
 * keys).
 *
 * Decisions: the examples' response `name`/`id` say `petstoreapi` for the apiId `petstore` (a
 * defect of the examples): ours are compared with the apiId. `provisioningState` is `InProgress`
 * in the examples (Azure polls); Tollgate finishes within the request. The examples are read from
 * AZURE_APIM_REFERENCE, the repository's copy or the shared reference, the first that has them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestServer } from '../helpers/server.js';
import { compareShapes } from '../helpers/shape.js';

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
  let site: Server;
  let base = '';

  beforeAll(async () => {
    server = await startServer(backend);
    // The linked documents' stand-ins, served over real HTTP.
    site = createServer((req, res) => {
      const name = (req.url ?? '').slice(1);
      const known = Object.values(INLINE).some((i) => i.fixture === name);
      res.writeHead(known ? 200 : 404).end(known ? readFileSync(new URL(`../fixtures/openapi/h4/${name}`, import.meta.url)) : 'not here');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => site?.close(() => resolve()));
  });

  it.each(NAMES)('%s', async (name) => {
    const example = JSON.parse(readFileSync(join(EXAMPLES!, name), 'utf8')) as Example;
    const { apiId } = example.parameters;
    const properties = example.parameters.parameters.properties;
    const put = (props: Record<string, unknown>) => server.request('PUT', `/apis/${apiId}`, { body: { properties: props } });

    const inline = INLINE[String(properties.format)]!;
    const value = readFileSync(new URL(`../fixtures/openapi/h4/${inline.fixture}`, import.meta.url), 'utf8');
    // As the example is, its link pointing here; then again with the document inline.
    for (const [status, props] of [
      ['201', { ...properties, value: `${base}/${inline.fixture}` }],
      ['200', { ...properties, format: inline.format, value }],
    ] as const) {
      const res = await put(props);
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
