/**
 * The public Petstore (OpenAPI 3.0 YAML, test/fixtures/openapi/public) and edits of it for the
 * admin UI's import tests: a re-import that creates, changes and removes one operation each, and
 * documents that cannot be imported.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { PUBLIC_OPENAPI_FIXTURES, publicFixturePath } from '../fixtures/openapi/public/index.js';

const file = (name: string) => readFileSync(publicFixturePath(PUBLIC_OPENAPI_FIXTURES.find((f) => f.name === name)!), 'utf8');

/** 20 operations, on http://petstore.swagger.io/v2. */
export const PETSTORE_YAML = file('petstore-openapi-3.0-yaml');
export const PETSTORE_SWAGGER_JSON = file('petstore-swagger-2.0');

/** The Petstore edited: deleteUser gone, getInventory's summary changed, a new listPets (GET /pets); on `serviceUrl` when given. */
export function editedPetstore(serviceUrl?: string): string {
  const doc = parse(PETSTORE_YAML) as { servers: { url: string }[]; paths: Record<string, Record<string, Record<string, unknown>>> };
  delete doc.paths['/user/{username}']!.delete;
  doc.paths['/store/inventory']!.get!.summary = 'Stock by status';
  doc.paths['/pets'] = { get: { operationId: 'listPets', summary: 'List the pets', responses: { '200': { description: 'The pets' } } } };
  if (serviceUrl) doc.servers = [{ url: serviceUrl }];
  return stringify(doc);
}

/** Not YAML: a line of the getInventory operation that does not fit. */
export const UNREADABLE_PETSTORE = PETSTORE_YAML.replace('      operationId: getInventory\n', '      operationId: getInventory\n      responses: oops\n');

/** Valid YAML, not a valid document: getInventory's 200 response without its required description. */
export const INVALID_PETSTORE = PETSTORE_YAML.replace(
  "      operationId: getInventory\n      responses:\n        '200':\n          description: successful operation\n",
  "      operationId: getInventory\n      responses:\n        '200':\n",
);
