/**
 * Replays Azure's own examples for users and groups (api-version 2024-05-01) against a real server.
 *
 * For each example file: the operation (method and path) comes from the swagger operation that
 * names the example in `x-ms-examples`; each example parameter goes where that operation declares it
 * (path, query, header If-Match, body). State the example presumes (its users, groups, memberships)
 * is created first, with the example's own ids; state is reset between examples.
 *
 * Compared: the status is one the example lists; where the example gives a body for that status,
 * ours covers its shape (every key of the example present with the same type skeleton; arrays by
 * their first element; extra keys allowed); resource `id`s equal the example's (ids are echoed), and
 * `type`s are equal; headers the example lists are present.
 *
 * Decisions (see SCENARIOS):
 * - ApiManagementUserToken: the example's expiry (2019-04-21) is in the past, which the server must
 *   refuse (400); it is replayed with an expiry one day ahead, and the literal example is checked to be refused.
 * - ApiManagementListUserSubscriptions: the route exists but there are no subscriptions until
 *   products land; the envelope is compared, the items cannot be.
 * - ApiManagementGetUserSubscription: the route exists but the subscription cannot exist yet; it is
 *   replayed and must answer 404 in Azure's error shape (the example's 200 is not reproducible).
 * - ListGroups / ListUserGroups: Azure's system groups have hex ids, ours are `administrators`,
 *   `developers`, `guests` (as real instances use); those items are matched by displayName and their
 *   ids compared with our name as the last segment.
 * - ListGroupUsers: the example's item has id `.../users/kjoshiarmTemplateUser1` but name
 *   `armTemplateUser1` (a defect of the example); the user is created as `armTemplateUser1` and its id
 *   compared with that name as the last segment.
 * - ApiManagementDeleteGroupUser sends If-Match, which GroupUser_Delete does not declare; it is sent
 *   as a header all the same.
 * - PUT examples list both 201 and 200 for the same request: they are replayed twice, expecting 201
 *   and then 200.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, startServer, type TestResponse, type TestServer } from '../helpers/server.js';
import { compareShapes, expectAzureError, expectValidationError, shape } from '../helpers/shape.js';
import { DEFAULT_GLOBAL_POLICY_XML, STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';

// Copies of Azure's files ship in the repository (test/fixtures/azure-apim-rest/README.md), so this
// suite runs everywhere; AZURE_APIM_REFERENCE points it at another copy.
const REFERENCE =
  process.env.AZURE_APIM_REFERENCE ?? fileURLToPath(new URL('../fixtures/azure-apim-rest/2024-05-01', import.meta.url));
const EXAMPLES = join(REFERENCE, 'examples');

// ---------------------------------------------------------------------------------------------
// The reference files

interface ExampleResponse {
  body?: unknown;
  headers?: Record<string, string>;
}
interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, ExampleResponse>;
}
interface SwaggerParameter {
  name?: string;
  in?: string;
  $ref?: string;
}
interface Operation {
  method: string;
  path: string;
  operationId: string;
  /** Where each parameter goes, by name. */
  locations: Map<string, string>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Common-types parameters are not in the reference folder; their names and places are fixed. */
const COMMON_PARAMETERS: Record<string, { name: string; in: string }> = {
  ApiVersionParameter: { name: 'api-version', in: 'query' },
  SubscriptionIdParameter: { name: 'subscriptionId', in: 'path' },
  ResourceGroupNameParameter: { name: 'resourceGroupName', in: 'path' },
};

function resolveParameter(p: SwaggerParameter, shared: Record<string, SwaggerParameter>): { name: string; in: string } {
  if (p.$ref) {
    const key = p.$ref.split('/').pop() ?? '';
    if (p.$ref.startsWith('./apimanagement.json')) return resolveParameter(shared[key] ?? {}, shared);
    const common = COMMON_PARAMETERS[key];
    if (!common) throw new Error(`unknown parameter reference ${p.$ref}`);
    return common;
  }
  if (!p.name || !p.in) throw new Error(`parameter without name or location: ${JSON.stringify(p)}`);
  return { name: p.name, in: p.in };
}

/** Example file name (without .json) → the swagger operation that cites it. */
function loadOperations(files: readonly string[] = ['apimusers.json', 'apimgroups.json']): Map<string, Operation> {
  const shared = readJson<{ parameters: Record<string, SwaggerParameter> }>(join(REFERENCE, 'apimanagement.json')).parameters;
  const out = new Map<string, Operation>();
  for (const file of files) {
    const spec = readJson<{ paths: Record<string, Record<string, unknown>> }>(join(REFERENCE, file));
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, raw] of Object.entries(item)) {
        if (method === 'parameters') continue;
        const op = raw as { operationId: string; parameters?: SwaggerParameter[]; 'x-ms-examples'?: Record<string, { $ref: string }> };
        const locations = new Map<string, string>();
        for (const p of op.parameters ?? []) {
          const r = resolveParameter(p, shared);
          locations.set(r.name, r.in);
        }
        for (const ref of Object.values(op['x-ms-examples'] ?? {})) {
          const name = ref.$ref.split('/').pop()!.replace(/\.json$/, '');
          out.set(name, { method: method.toUpperCase(), path, operationId: op.operationId, locations });
        }
      }
    }
  }
  return out;
}

/**
 * The user and group examples: names with User or Group, without Product (subscription ones are
 * handled apart) or Reports (reports-examples.test.ts replays those).
 */
function selectedExamples(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .filter((n) => /User|Group/.test(n) && !/Product|Reports/.test(n))
    .sort();
}

function loadExample(name: string): Example {
  return readJson<Example>(join(EXAMPLES, `${name}.json`));
}

// ---------------------------------------------------------------------------------------------
// Scenarios: what state each example presumes, and any deliberate deviation

interface Ctx {
  server: TestServer;
  putUser(id: string, properties: Record<string, unknown>): Promise<void>;
  putGroup(id: string, properties: Record<string, unknown>): Promise<void>;
  addMember(groupId: string, userId: string): Promise<void>;
}

interface Scenario {
  setup?: (ctx: Ctx, example: Example) => Promise<void>;
  /** Replaces example parameters (a deliberate, documented deviation). */
  adjust?: (parameters: Record<string, unknown>) => Record<string, unknown>;
  /** The status we must answer (when the example lists several). */
  expect?: number;
  /** Compare list items even when ours has none (set for routes without data yet). */
  allowEmptyArrays?: boolean;
  /** Instead of the example's listed statuses: the route exists but the data cannot (yet). */
  expectNotFound?: boolean;
  /** Headers the example lists that are deliberately not sent (a long-running operation finished at once needs no polling URLs). */
  headersNotSent?: readonly string[];
  /** The example's response names another instance and resource than its request: ids, types and names are not compared. */
  idsOfAnotherInstance?: boolean;
  /** Items of the example's list that cannot exist here (Key Vault named values), left out of the comparison. */
  itemsLeftOut?: readonly string[];
}

/** Properties from an example's user contract that a PUT accepts. */
function userInput(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['email', 'firstName', 'lastName', 'note', 'identities']) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

function groupInput(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['displayName', 'description', 'type', 'externalId']) if (props[k] !== undefined) out[k] = props[k];
  return out;
}

function bodyOf(example: Example, status: string): Record<string, unknown> {
  return (example.responses[status]?.body ?? {}) as Record<string, unknown>;
}

function propsOf(resource: unknown): Record<string, unknown> {
  return ((resource as { properties?: Record<string, unknown> }).properties ?? {}) as Record<string, unknown>;
}

const defaultUser = (id: string) => ({ email: `${id}@example.com`, firstName: 'Example', lastName: 'User' });

/** The external group the GetGroup example shows, which several examples address. */
async function awesomeGroup(ctx: Ctx): Promise<void> {
  await ctx.putGroup('59306a29e4bbd510dc24e5f9', groupInput(propsOf(bodyOf(loadExample('ApiManagementGetGroup'), '200'))));
}

/** The user the GetUser example shows (Microsoft identity). */
async function fooBarUser(ctx: Ctx): Promise<void> {
  await ctx.putUser('5931a75ae4bbd512a88c680b', userInput(propsOf(bodyOf(loadExample('ApiManagementGetUser'), '200'))));
}

const SCENARIOS: Record<string, Scenario> = {
  ApiManagementCreateGroup: {},
  ApiManagementCreateGroupExternal: {},
  ApiManagementCreateGroupUser: {
    async setup(ctx, ex) {
      await ctx.putGroup('tempgroup', { displayName: 'temp group' });
      await ctx.putUser('59307d350af58404d8a26300', userInput(propsOf(bodyOf(ex, '201'))));
    },
  },
  ApiManagementCreateUser: {},
  ApiManagementDeleteGroup: {
    async setup(ctx) {
      const create = loadExample('ApiManagementCreateGroupExternal');
      await ctx.putGroup('aadGroup', groupInput(propsOf(create.parameters.parameters)));
    },
    expect: 200,
  },
  ApiManagementDeleteGroupUser: {
    async setup(ctx) {
      await ctx.putGroup('templategroup', { displayName: 'template group' });
      await ctx.putUser('59307d350af58404d8a26300', defaultUser('testuser1'));
      await ctx.addMember('templategroup', '59307d350af58404d8a26300');
    },
    expect: 200,
  },
  ApiManagementDeleteUser: {
    async setup(ctx) {
      await ctx.putUser('5931a75ae4bbd512288c680b', { email: 'foobar@outlook.com', firstName: 'foo', lastName: 'bar' });
    },
  },
  ApiManagementGetGroup: { setup: awesomeGroup },
  ApiManagementGetUser: { setup: fooBarUser },
  ApiManagementHeadGroup: { setup: awesomeGroup },
  ApiManagementHeadGroupUser: {
    async setup(ctx) {
      await awesomeGroup(ctx);
      await fooBarUser(ctx);
      await ctx.addMember('59306a29e4bbd510dc24e5f9', '5931a75ae4bbd512a88c680b');
    },
    expect: 204,
  },
  ApiManagementHeadUser: { setup: fooBarUser },
  ApiManagementListGroupUsers: {
    async setup(ctx, ex) {
      await ctx.putGroup('57d2ef278aa04f0888cba3f3', { displayName: 'ARM template group' });
      for (const item of (bodyOf(ex, '200').value ?? []) as { name: string }[]) {
        await ctx.putUser(item.name, userInput(propsOf(item)));
        await ctx.addMember('57d2ef278aa04f0888cba3f3', item.name);
      }
    },
  },
  ApiManagementListGroups: { setup: awesomeGroup },
  ApiManagementListUserGroups: {
    async setup(ctx) {
      await ctx.putUser('57681833a40f7eb6c49f6acf', defaultUser('57681833a40f7eb6c49f6acf'));
    },
  },
  ApiManagementListUserIdentities: {
    async setup(ctx, ex) {
      const identities = bodyOf(ex, '200').value;
      await ctx.putUser('57f2af53bb17172280f44057', { ...defaultUser('57f2af53bb17172280f44057'), identities });
    },
  },
  ApiManagementListUsers: {
    async setup(ctx, ex) {
      for (const item of (bodyOf(ex, '200').value ?? []) as { name: string }[]) {
        if (item.name === '1') continue; // the built-in administrator exists already
        await ctx.putUser(item.name, userInput(propsOf(item)));
      }
    },
  },
  ApiManagementUpdateGroup: {
    async setup(ctx, ex) {
      // The response shows an external group whose display name the PATCH sets.
      await ctx.putGroup('tempgroup', { ...groupInput(propsOf(bodyOf(ex, '200'))), displayName: 'old name' });
    },
  },
  ApiManagementUpdateUser: {
    async setup(ctx, ex) {
      await ctx.putUser('5931a75ae4bbd512a88c680b', { ...userInput(propsOf(bodyOf(ex, '200'))), firstName: 'before' });
    },
  },
  ApiManagementUserConfirmationPasswordSend: {
    async setup(ctx) {
      await ctx.putUser('57127d485157a511ace86ae7', defaultUser('57127d485157a511ace86ae7'));
    },
  },
  ApiManagementUserGenerateSsoUrl: {
    async setup(ctx) {
      await ctx.putUser('57127d485157a511ace86ae7', defaultUser('57127d485157a511ace86ae7'));
    },
  },
  ApiManagementUserToken: {
    async setup(ctx) {
      await ctx.putUser('userId1718', defaultUser('userId1718'));
    },
    // The example's expiry (2019) is long past; a token must expire in the future (at most 30 days).
    adjust: (p) => ({
      ...p,
      parameters: { properties: { keyType: 'primary', expiry: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString() } },
    }),
  },
  ApiManagementListUserSubscriptions: {
    async setup(ctx) {
      await ctx.putUser('57681833a40f7eb6c49f6acf', defaultUser('57681833a40f7eb6c49f6acf'));
    },
    allowEmptyArrays: true,
  },
  ApiManagementGetUserSubscription: { expectNotFound: true },
};

// ---------------------------------------------------------------------------------------------
// Sending an example

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function buildRequest(server: TestServer, op: Operation, parameters: Record<string, unknown>): Built {
  let path = op.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  let body: unknown;
  for (const [name, value] of Object.entries(parameters)) {
    const where = op.locations.get(name);
    if (where === 'path') {
      const placeholder = `{${name}}`;
      expect(path, `path parameter ${name}`).toContain(placeholder);
      path = path.replace(placeholder, encodeURIComponent(String(value)));
    } else if (where === 'query') query.set(name, String(value));
    else if (where === 'header') headers[name.toLowerCase()] = String(value);
    // GroupUser_Delete declares no If-Match, but its example sends one: send it, as a client would.
    else if (where === undefined && name === 'If-Match') headers['if-match'] = String(value);
    else if (where === 'body') body = value;
    else throw new Error(`${op.operationId}: the example's parameter ${name} is not declared by the operation`);
  }
  expect(path, 'every path parameter is given').not.toMatch(/\{\w+\}/);
  return { method: op.method, url: `${server.url}${path}?${query.toString()}`, headers, body };
}

async function send(server: TestServer, built: Built): Promise<TestResponse> {
  return server.request(built.method, built.url, {
    headers: built.headers,
    ...(built.body !== undefined ? { body: built.body } : {}),
  });
}

interface Resource {
  id?: string;
  type?: string;
  name?: string;
  properties?: { displayName?: string; builtIn?: boolean };
}

/** Our list item for an example's item: same name; a built-in group by displayName. */
function matchItem(example: Resource, ours: Resource[]): Resource | undefined {
  return (
    ours.find((o) => o.name === example.name) ??
    (example.properties?.builtIn ? ours.find((o) => o.properties?.builtIn && o.properties.displayName === example.properties?.displayName) : undefined)
  );
}

/** Compares our response with the example's for `status`: shape, ids, types, headers. */
function compareWithExample(example: Example, status: number, res: TestResponse, scenario: Scenario): void {
  const expected = example.responses[String(status)];
  expect(expected, `status ${status} is listed by the example (${Object.keys(example.responses).join(', ')})`).toBeDefined();
  for (const header of Object.keys(expected?.headers ?? {})) {
    if (scenario.headersNotSent?.includes(header)) continue;
    expect(res.headers.get(header), `header ${header}`).toBeTruthy();
  }
  if (expected?.body === undefined) {
    expect(res.text, 'the example has no body for this status').toBe('');
    return;
  }
  const mismatches = compareShapes(expected.body, res.json, { allowEmptyArrays: scenario.allowEmptyArrays === true });
  expect(mismatches, `shape against the example:\n${mismatches.join('\n')}\nours: ${res.text.slice(0, 2000)}`).toEqual([]);

  const exampleBody = expected.body as Resource & { value?: unknown };
  const ours = res.json as Resource & { value?: Resource[] };
  if (typeof exampleBody.id === 'string' && !scenario.idsOfAnotherInstance) {
    expect(ours.id, 'id echoes the example').toBe(exampleBody.id);
    expect(ours.type, 'type').toBe(exampleBody.type);
    // ApiManagementUpdateNamedValue's body has no name (a defect of the example): ours is compared when it has one.
    if (exampleBody.name !== undefined) expect(ours.name, 'name').toBe(exampleBody.name);
  }
  if (Array.isArray(exampleBody.value) && Array.isArray(ours.value)) {
    expect(typeof (res.json as { nextLink?: unknown }).nextLink).toBe('string');
    for (const item of exampleBody.value as Resource[]) {
      if (typeof item.id !== 'string' || typeof item.type !== 'string') continue; // not a resource (e.g. an identity)
      if (item.name !== undefined && scenario.itemsLeftOut?.includes(item.name)) continue;
      const mine = matchItem(item, ours.value);
      if (!mine) {
        if (scenario.allowEmptyArrays && ours.value.length === 0) continue;
        throw new Error(`no item of ours matches the example's ${item.name} (${item.properties?.displayName ?? ''})`);
      }
      // Ids are echoed: the example's id with our entity's id as the last segment (equal when the names are).
      expect(mine.id, `id of ${item.name}`).toBe(item.id.replace(/[^/]+$/, mine.name ?? ''));
      expect(mine.type, `type of ${item.name}`).toBe(item.type);
      const itemMismatches = compareShapes(item, mine);
      expect(itemMismatches, `shape of ${item.name}:\n${itemMismatches.join('\n')}`).toEqual([]);
    }
  }
}

/**
 * The tests of one example: sent as its scenario prepares it, the answer compared with the
 * example's; a PUT whose example lists both 201 and 200 is also replayed twice (201, then 200).
 */
function replayExample(
  name: string,
  operation: Operation | undefined,
  scenario: Scenario,
  server: () => TestServer,
  prepare: () => Promise<{ example: Example; built: Built }>,
): void {
  it(`${name}`, async () => {
    const { example, built } = await prepare();
    const res = await send(server(), built);
    const listed = Object.keys(example.responses).map(Number);
    expect(listed, `status ${res.status}: ${res.text.slice(0, 1000)}`).toContain(res.status);
    if (scenario.expect !== undefined) expect(res.status, res.text.slice(0, 1000)).toBe(scenario.expect);
    if (built.method === 'PUT' && listed.includes(201)) expect(res.status, 'a PUT on a new entity creates it').toBe(201);
    compareWithExample(example, res.status, res, scenario);
  });

  if (operation?.method === 'PUT' && '201' in loadExample(name).responses && '200' in loadExample(name).responses) {
    it(`${name}: replayed against the existing entity answers 200`, async () => {
      const { example, built } = await prepare();
      const first = await send(server(), built);
      expect(first.status, first.text.slice(0, 1000)).toBe(201);
      const again = await send(server(), built);
      expect(again.status, again.text.slice(0, 1000)).toBe(200);
      compareWithExample(example, 200, again, scenario);
    });
  }
}

// ---------------------------------------------------------------------------------------------

describe('the shape comparator', () => {
  it('maps values to type skeletons', () => {
    expect(shape({ a: 'x', b: [1, 'y'], c: null, d: { e: true }, f: [] })).toEqual({
      kind: 'object',
      keys: {
        a: 'string',
        b: { kind: 'array', item: 'number' },
        c: 'null',
        d: { kind: 'object', keys: { e: 'boolean' } },
        f: { kind: 'array', item: undefined },
      },
    });
  });

  it('allows extra keys and finds missing or retyped ones', () => {
    expect(compareShapes({ a: 1, b: { c: 'x' } }, { a: 2, b: { c: 'y', extra: 1 }, more: [] })).toEqual([]);
    expect(compareShapes({ a: 1, b: { c: 'x' } }, { a: '2', b: {} })).toEqual([
      '$.a: example has number, ours has string',
      '$.b.c: missing (example has string)',
    ]);
    expect(compareShapes({ v: [{ id: 'x' }] }, { v: [{ id: 1 }, { other: true }] })).toEqual(['$.v[0].id: example has string, ours has number']);
    expect(compareShapes({ v: [{ id: 'x' }] }, { v: [] })).toHaveLength(1);
    expect(compareShapes({ v: [{ id: 'x' }] }, { v: [] }, { allowEmptyArrays: true })).toEqual([]);
    expect(compareShapes({ v: [] }, { v: [{ any: 1 }] })).toEqual([]);
    expect(compareShapes({ v: [] }, { v: {} })).toHaveLength(1);
    expect(compareShapes({ n: null }, { n: 'x' })).toHaveLength(1);
  });
});

describe('Azure examples replayed', () => {
  const operations = loadOperations();
  const names = selectedExamples();

  it('every user and group example has a scenario and a swagger operation', () => {
    expect(names.length).toBeGreaterThan(20);
    expect([...names].sort()).toEqual(Object.keys(SCENARIOS).sort());
    for (const name of names) expect(operations.get(name), name).toBeDefined();
  });

  describe.each(BACKENDS)('on %s', (backend) => {
    let server: TestServer;
    let ctx: Ctx;

    async function reset(): Promise<void> {
      const users = await server.request('GET', '/users', { query: { $top: 1000 } });
      for (const u of users.json.value as { name: string }[]) {
        if (u.name === '1') continue;
        const del = await server.request('DELETE', `/users/${encodeURIComponent(u.name)}`, { headers: { 'if-match': '*' } });
        expect(del.status, del.text).toBe(204);
      }
      const groups = await server.request('GET', '/groups', { query: { $top: 1000 } });
      for (const g of groups.json.value as { name: string; properties: { builtIn: boolean } }[]) {
        if (g.properties.builtIn) continue;
        const del = await server.request('DELETE', `/groups/${encodeURIComponent(g.name)}`, { headers: { 'if-match': '*' } });
        expect(del.status, del.text).toBe(200);
      }
    }

    beforeAll(async () => {
      server = await startServer(backend);
      ctx = {
        server,
        async putUser(id, properties) {
          const res = await server.request('PUT', `/users/${encodeURIComponent(id)}`, { body: { properties } });
          expect(res.status, `setup user ${id}: ${res.text}`).toBe(201);
        },
        async putGroup(id, properties) {
          const res = await server.request('PUT', `/groups/${encodeURIComponent(id)}`, { body: { properties } });
          expect(res.status, `setup group ${id}: ${res.text}`).toBe(201);
        },
        async addMember(groupId, userId) {
          const res = await server.request('PUT', `/groups/${encodeURIComponent(groupId)}/users/${encodeURIComponent(userId)}`);
          expect(res.status, `setup membership ${groupId}/${userId}: ${res.text}`).toBe(201);
        },
      };
    });

    afterAll(async () => {
      await server?.close();
    });

    beforeEach(async () => {
      await reset();
    });

    for (const name of names) {
      const scenario = SCENARIOS[name] ?? {};

      async function prepare(): Promise<{ example: Example; built: Built }> {
        const example = loadExample(name);
        const op = operations.get(name);
        if (!op) throw new Error(`${name}: no swagger operation cites this example`);
        await scenario.setup?.(ctx, example);
        const parameters = scenario.adjust ? scenario.adjust(example.parameters) : example.parameters;
        return { example, built: buildRequest(server, op, parameters) };
      }

      if (scenario.expectNotFound) {
        it(`${name}: the route exists; without data it answers 404 in Azure shape`, async () => {
          const { built } = await prepare();
          expectAzureError(await send(server, built), 404);
        });
        continue;
      }

      replayExample(name, operations.get(name), scenario, () => server, prepare);
    }

    it('ApiManagementHeadGroupUser: 404 (also listed) when the user is not a member', async () => {
      const example = loadExample('ApiManagementHeadGroupUser');
      await awesomeGroup(ctx);
      await fooBarUser(ctx);
      const res = await send(server, buildRequest(server, operations.get('ApiManagementHeadGroupUser')!, example.parameters));
      expect(res.status).toBe(404);
      expect(Object.keys(example.responses)).toContain('404');
    });

    it('ApiManagementUserToken as written (expiry in 2019) is refused: the expiry is in the past', async () => {
      const example = loadExample('ApiManagementUserToken');
      await ctx.putUser('userId1718', defaultUser('userId1718'));
      const res = await send(server, buildRequest(server, operations.get('ApiManagementUserToken')!, example.parameters));
      expectValidationError(res, 'expiry');
    });

    it('ApiManagementUserToken: the token has the example’s format', async () => {
      await ctx.putUser('userId1718', defaultUser('userId1718'));
      const example = loadExample('ApiManagementUserToken');
      const params = SCENARIOS.ApiManagementUserToken!.adjust!(example.parameters);
      const res = await send(server, buildRequest(server, operations.get('ApiManagementUserToken')!, params));
      expect(res.status, res.text).toBe(200);
      const sample = (bodyOf(example, '200').value as string).split('&');
      const ours = (res.json as { value: string }).value.split('&');
      expect(ours).toHaveLength(sample.length);
      expect(ours[0]).toBe('userId1718');
      expect(ours[1]).toMatch(/^\d{12}$/);
    });

    it('ApiManagementUserGenerateSsoUrl: the URL has the example’s form (signin-sso?token=)', async () => {
      await ctx.putUser('57127d485157a511ace86ae7', defaultUser('57127d485157a511ace86ae7'));
      const example = loadExample('ApiManagementUserGenerateSsoUrl');
      const res = await send(server, buildRequest(server, operations.get('ApiManagementUserGenerateSsoUrl')!, example.parameters));
      expect(res.status).toBe(200);
      const url = new URL((res.json as { value: string }).value);
      expect(url.pathname).toBe('/signin-sso');
      expect(url.searchParams.get('token')).toMatch(/^57127d485157a511ace86ae7&\d{12}&/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Policies, named values and quota counters
//
// Decisions:
// - Documents Azure's examples hold that use what the gateway does not enforce (log-to-eventhub,
//   jsonp, an increment-count expression) are refused, as a policy the gateway cannot enforce
//   must be: those examples are replayed with the supported part of their document (`adjust` or
//   the setup's document), and their literal documents are checked to be refused.
// - Examples that create with `If-Match: *` create (every scope has a policy in effect).
// - ApiManagementCreatePolicy creates: the seeded global policy is deleted first.
// - ApiManagementCreateApiPolicyNonXmlEncoded: its response names another instance and an
//   operation policy; ids, types and names are not compared. Its "@(…)" is not at the start of the
//   value, so it is literal text (in Azure too) and the document is accepted as written.
// - Named value writes finish at once: the examples' polling headers (location,
//   Azure-AsyncOperation) are not sent, and provisioningState is Succeeded, not InProgress.
// - ApiManagementListNamedValues: its Key Vault item (testprop6) cannot exist (Key Vault is refused).
// - Quota period keys name the renewal period in days, hours, minutes and seconds (0_P1284DT12H30M5S
//   for the examples' window, which Azure writes 0_P3Y6M4DT12H30M5S): the examples' period key is
//   replaced by ours for the same window.

const POLICY_SPEC_FILES = ['apimpolicies.json', 'apimproducts.json', 'apimapis.json', 'apimnamedvalues.json', 'apimquotas.json'];

/** The policy, named value and quota examples that ship with the tests (not policy descriptions or fragments). */
function policyExamples(operations: Map<string, Operation>): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .filter((n) => /Policy$|Policies$|PolicyFormat$|PolicyNonXmlEncoded$|NamedValue|Quota/.test(n) && operations.has(n))
    .sort();
}

interface PolicyCtx {
  server: TestServer;
  product(id: string): Promise<void>;
  api(id: string, operationId?: string): Promise<void>;
  policy(path: string, xml: string): Promise<void>;
  namedValue(id: string, properties: Record<string, unknown>): Promise<void>;
  quota(counterKey: string, start: string, end: string, calls: number, kilobytes: number): Promise<void>;
}

interface PolicyScenario extends Scenario {
  setupPolicy?: (ctx: PolicyCtx, example: Example) => Promise<void>;
  /** The literal example is refused: a 400 ValidationError whose text names this. */
  literalRefused?: string;
}

/** A document the gateway enforces, for the examples that only need one to exist. */
const SUPPORTED_DOC =
  '<policies>\r\n  <inbound>\r\n    <base />\r\n  </inbound>\r\n  <backend>\r\n    <base />\r\n  </backend>\r\n  <outbound>\r\n    <base />\r\n    <set-header name="X-My-Sample" exists-action="override">\r\n      <value>This is a sample</value>\r\n    </set-header>\r\n  </outbound>\r\n</policies>';

const EXAMPLE_QUOTA_START = '2014-08-04T04:24:35Z';
const EXAMPLE_QUOTA_END = '2018-02-08T16:54:40Z';
/** Our period key for the examples' window (see the decisions above). */
const OUR_PERIOD_KEY = '0_P1284DT12H30M5S';

const withBody = (p: Record<string, unknown>, properties: Record<string, unknown>) => ({ ...p, parameters: { properties } });
const withPeriodKey = (p: Record<string, unknown>) => ({ ...p, quotaPeriodKey: OUR_PERIOD_KEY });
/**
 * The examples' period, as long as theirs but running now: the counters keep only periods that
 * have not ended (an ended one counts nothing any more), and Azure's example period ended in 2018.
 */
const exampleQuota = (ctx: PolicyCtx) => {
  const start = Date.now() - 24 * 3600_000;
  const length = Date.parse(EXAMPLE_QUOTA_END) - Date.parse(EXAMPLE_QUOTA_START);
  return ctx.quota('ba', new Date(start).toISOString(), new Date(start + length).toISOString(), 5, 2.5830078125);
};
const namedValueProps = (ex: Example, status: string) => {
  const { displayName, value, tags, secret } = propsOf(bodyOf(ex, status)) as Record<string, unknown>;
  return { displayName, value, ...(tags !== undefined ? { tags } : {}), ...(secret !== undefined ? { secret } : {}) };
};
const NOT_SENT = ['location', 'Azure-AsyncOperation'];

/** Setups: an API (and operation) or a product, with a document the gateway enforces. */
const apiPolicy = (apiId: string, operationId?: string) => async (ctx: PolicyCtx) => {
  await ctx.api(apiId, operationId);
  await ctx.policy(operationId ? `/apis/${apiId}/operations/${operationId}` : `/apis/${apiId}`, SUPPORTED_DOC);
};
const productPolicy = (productId: string) => async (ctx: PolicyCtx) => {
  await ctx.product(productId);
  await ctx.policy(`/products/${productId}`, SUPPORTED_DOC);
};

const POLICY_SCENARIOS: Record<string, PolicyScenario> = {
  ApiManagementCreateApiOperationPolicy: { setupPolicy: (ctx) => ctx.api('5600b57e7e8880006a040001', '5600b57e7e8880006a080001') },
  ApiManagementCreateApiPolicy: { setupPolicy: (ctx) => ctx.api('5600b57e7e8880006a040001') },
  ApiManagementCreateApiPolicyNonXmlEncoded: {
    setupPolicy: (ctx) => ctx.api('5600b57e7e8880006a040001'),
    // Its "@(...)" does not start the value, so it is literal text (as in Azure), which the gateway enforces.
    idsOfAnotherInstance: true,
  },
  ApiManagementCreatePolicy: {
    async setupPolicy(ctx) {
      const res = await ctx.server.request('DELETE', '/policies/policy', { headers: { 'if-match': '*' } });
      expect(res.status, res.text).toBe(200);
    },
  },
  ApiManagementCreateProductPolicy: {
    async setupPolicy(ctx) {
      await ctx.product('5702e97e5157a50f48dce801');
      await ctx.namedValue('call-count', { displayName: 'call-count', value: '10' });
    },
    // log-to-eventhub and an increment-count expression are not enforced; the limits are.
    adjust: (p) =>
      withBody(p, {
        format: 'xml',
        value:
          '<policies>\r\n  <inbound>\r\n    <rate-limit calls="{{call-count}}" renewal-period="15"></rate-limit>\r\n    <quota-by-key calls="40" counter-key="cc" renewal-period="3600" />\r\n    <base />\r\n  </inbound>\r\n  <backend>\r\n    <base />\r\n  </backend>\r\n  <outbound>\r\n    <base />\r\n  </outbound>\r\n</policies>',
      }),
    literalRefused: 'log-to-eventhub',
  },
  ApiManagementDeleteApiOperationPolicy: { setupPolicy: apiPolicy('testapi', 'testoperation'), expect: 200 },
  ApiManagementDeleteApiPolicy: { setupPolicy: apiPolicy('loggerId'), expect: 200 },
  ApiManagementDeletePolicy: { expect: 200 },
  ApiManagementDeleteProductPolicy: { setupPolicy: productPolicy('testproduct'), expect: 200 },
  ApiManagementGetApiOperationPolicy: { setupPolicy: apiPolicy('5600b539c53f5b0062040001', '5600b53ac53f5b0062080006') },
  ApiManagementGetApiPolicy: { setupPolicy: apiPolicy('5600b59475ff190048040001') },
  ApiManagementGetPolicy: {},
  ApiManagementGetPolicyFormat: {},
  ApiManagementGetProductPolicy: { setupPolicy: productPolicy('kjoshiarmTemplateProduct4') },
  ApiManagementHeadApiOperationPolicy: { setupPolicy: apiPolicy('5600b539c53f5b0062040001', '5600b53ac53f5b0062080006') },
  ApiManagementHeadApiPolicy: { setupPolicy: apiPolicy('57d1f7558aa04f15146d9d8a') },
  ApiManagementHeadPolicy: {},
  ApiManagementHeadProductPolicy: { setupPolicy: (ctx) => ctx.policy('/products/unlimited', SUPPORTED_DOC) },
  ApiManagementListApiOperationPolicies: { setupPolicy: apiPolicy('599e2953193c3c0bd0b3e2fa', '599e29ab193c3c0bd0b3e2fb') },
  ApiManagementListApiPolicies: { setupPolicy: apiPolicy('5600b59475ff190048040001') },
  ApiManagementListPolicies: {},
  ApiManagementListProductPolicies: { setupPolicy: productPolicy('armTemplateProduct4') },
  ApiManagementCreateNamedValue: { headersNotSent: NOT_SENT },
  ApiManagementDeleteNamedValue: {
    setupPolicy: (ctx) => ctx.namedValue('testprop2', { displayName: 'prop3name', value: 'propValue' }),
    expect: 200,
  },
  ApiManagementGetNamedValue: { setupPolicy: (ctx, ex) => ctx.namedValue('testarmTemplateproperties2', namedValueProps(ex, '200')) },
  ApiManagementHeadNamedValue: { setupPolicy: (ctx) => ctx.namedValue('testarmTemplateproperties2', { displayName: 'propName', value: 'propValue' }) },
  ApiManagementListNamedValues: {
    setupPolicy: (ctx) => ctx.namedValue('592f1174cc83890dc4f32686', { displayName: 'Logger-Credentials-592f1174cc83890dc4f32687', value: 'propValue' }),
    itemsLeftOut: ['testprop6'],
  },
  ApiManagementNamedValueListValue: { setupPolicy: (ctx) => ctx.namedValue('testarmTemplateproperties2', { displayName: 'propName', value: 'propValue', secret: true }) },
  ApiManagementUpdateNamedValue: {
    setupPolicy: (ctx) => ctx.namedValue('testprop2', { displayName: 'prop3name', value: 'before', tags: ['foo'] }),
    expect: 200,
  },
  ApiManagementGetQuotaCounterKeys: { setupPolicy: exampleQuota },
  ApiManagementGetQuotaCounterKeysByQuotaPeriod: { setupPolicy: exampleQuota, adjust: withPeriodKey },
  ApiManagementUpdateQuotaCounterKey: { setupPolicy: exampleQuota },
  ApiManagementUpdateQuotaCounterKeyByQuotaPeriod: { setupPolicy: exampleQuota, adjust: withPeriodKey },
};

describe('Azure policy, named value and quota examples replayed', () => {
  const operations = loadOperations(POLICY_SPEC_FILES);
  const names = policyExamples(operations);

  it('every policy, named value and quota example that ships has a scenario', () => {
    expect(names.length).toBeGreaterThan(30);
    expect(names).toEqual(Object.keys(POLICY_SCENARIOS).sort());
  });

  describe.each(BACKENDS)('on %s', (backend) => {
    let server: TestServer;
    let ctx: PolicyCtx;

    async function ok(res: Promise<TestResponse>, status: number, what: string): Promise<void> {
      const r = await res;
      expect(r.status, `${what}: ${r.text}`).toBe(status);
    }

    /** Back to a fresh instance's policies, named values, quotas, APIs and products. */
    async function reset(): Promise<void> {
      const db = server.app.database.db;
      await db.deleteFrom('policies').execute();
      await db.deleteFrom('named_values').execute();
      await db.deleteFrom('quota_counters').execute();
      for (const a of (await server.request('GET', '/apis', { query: { $top: 1000 } })).json.value as { name: string }[]) {
        await ok(server.request('DELETE', `/apis/${a.name}`, { headers: { 'if-match': '*' } }), 200, `delete API ${a.name}`);
      }
      for (const p of (await server.request('GET', '/products', { query: { $top: 1000 } })).json.value as { name: string }[]) {
        if (p.name === 'starter' || p.name === 'unlimited') continue;
        await ok(server.request('DELETE', `/products/${p.name}`, { headers: { 'if-match': '*' }, query: { deleteSubscriptions: true } }), 200, `delete product ${p.name}`);
      }
      await ctx.policy('', DEFAULT_GLOBAL_POLICY_XML);
      await ctx.policy('/products/starter', STARTER_POLICY_XML);
    }

    beforeAll(async () => {
      server = await startServer(backend);
      ctx = {
        server,
        product: (id) => ok(server.request('PUT', `/products/${id}`, { body: { properties: { displayName: id } } }), 201, `product ${id}`),
        async api(id, operationId) {
          await ok(server.request('PUT', `/apis/${id}`, { body: { properties: { path: id, serviceUrl: 'https://backend.example.com' } } }), 201, `API ${id}`);
          if (operationId) {
            await ok(
              server.request('PUT', `/apis/${id}/operations/${operationId}`, { body: { properties: { displayName: operationId, method: 'GET', urlTemplate: '/' } } }),
              201,
              `operation ${operationId}`,
            );
          }
        },
        policy: async (path, xml) => {
          const res = await server.request('PUT', `${path}/policies/policy`, { body: { properties: { value: xml } } });
          expect([200, 201], `policy at ${path || '/'}: ${res.text}`).toContain(res.status);
        },
        namedValue: (id, properties) => ok(server.request('PUT', `/namedValues/${id}`, { body: { properties } }), 201, `named value ${id}`),
        async quota(counterKey, start, end, calls, kilobytes) {
          await server.app.database.db
            .insertInto('quota_counters')
            .values({ counter_key: counterKey, period_start: new Date(start).toISOString(), period_end: new Date(end).toISOString(), calls, kilobytes, updated_at: new Date().toISOString() })
            .execute();
        },
      };
    });

    afterAll(async () => {
      await server?.close();
    });

    beforeEach(async () => {
      await reset();
    });

    for (const name of names) {
      const scenario = POLICY_SCENARIOS[name] ?? {};

      async function prepare(adjusted = true): Promise<{ example: Example; built: Built }> {
        const example = loadExample(name);
        const op = operations.get(name)!;
        await scenario.setupPolicy?.(ctx, example);
        const parameters = adjusted && scenario.adjust ? scenario.adjust(example.parameters) : example.parameters;
        return { example, built: buildRequest(server, op, parameters) };
      }

      replayExample(name, operations.get(name), scenario, () => server, () => prepare());

      if (scenario.literalRefused !== undefined) {
        it(`${name} as written is refused: ${scenario.literalRefused} is not enforced`, async () => {
          const { built } = await prepare(false);
          const res = await send(server, built);
          expectAzureError(res, 400, 'ValidationError');
          expect(res.text).toContain(scenario.literalRefused);
          expect(res.json.error.details[0].message).toMatch(/line \d+, column \d+/);
        });
      }
    }

    it('ApiManagementCreateApiPolicyNonXmlEncoded: the rawxml document comes back XML-encoded as in the example', async () => {
      await ctx.api('5600b57e7e8880006a040001');
      const example = loadExample('ApiManagementCreateApiPolicyNonXmlEncoded');
      const res = await send(server, buildRequest(server, operations.get('ApiManagementCreateApiPolicyNonXmlEncoded')!, example.parameters));
      expect(res.status, res.text).toBe(201);
      const theirs = propsOf(bodyOf(example, '201')).value as string;
      const line = (text: string) => text.split('\r\n').find((l) => l.includes('<value>'))!.trim();
      expect(line(res.json.properties.value as string)).toBe(line(theirs));
      const raw = await server.request('GET', '/apis/5600b57e7e8880006a040001/policies/policy', { query: { format: 'rawxml' } });
      expect(raw.json.properties.value).toBe((example.parameters.parameters as { properties: { value: string } }).properties.value);
    });

    it('ApiManagementGetPolicyFormat: rawxml answers with the format and the document decoded', async () => {
      const res = await send(server, buildRequest(server, operations.get('ApiManagementGetPolicyFormat')!, loadExample('ApiManagementGetPolicyFormat').parameters));
      expect(res.json.properties).toEqual({ format: 'rawxml', value: DEFAULT_GLOBAL_POLICY_XML });
    });

    it('ApiManagementHeadProductPolicy: 404 without a document (Unlimited has none)', async () => {
      const res = await send(server, buildRequest(server, operations.get('ApiManagementHeadProductPolicy')!, loadExample('ApiManagementHeadProductPolicy').parameters));
      expect(res.status).toBe(404);
    });

    it('ApiManagementGetQuotaCounterKeysByQuotaPeriod with Azure’s period key spelling is 404', async () => {
      await exampleQuota(ctx);
      const op = operations.get('ApiManagementGetQuotaCounterKeysByQuotaPeriod')!;
      const res = await send(server, buildRequest(server, op, loadExample('ApiManagementGetQuotaCounterKeysByQuotaPeriod').parameters));
      expectAzureError(res, 404);
    });
  });
});
