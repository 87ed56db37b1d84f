/**
 * What an SDK hides, over raw HTTP: authentication, service name and api-version checks, routing,
 * body parsing limits, validation details, and that no failure leaks JavaScript internals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, RESOURCE_GROUP, SERVICE_NAME, SUBSCRIPTION_ID, startServer, type TestServer } from '../helpers/server.js';
import { expectAzureError, expectValidationError, leakSigns } from '../helpers/shape.js';

const user = (email: string, extra: Record<string, unknown> = {}) => ({
  properties: { email, firstName: 'Ada', lastName: 'Lovelace', ...extra },
});

describe.each(BACKENDS)('HTTP errors over raw HTTP (%s)', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(backend);
    const created = await server.request('PUT', '/users/err-existing', { body: user('err.existing@example.com') });
    expect(created.status, created.text).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('authentication', () => {
    function expect401(res: Awaited<ReturnType<TestServer['request']>>) {
      expectAzureError(res, 401, 'AuthenticationFailed');
      expect(res.json.error.details).toEqual([]);
      expect(res.headers.get('www-authenticate'), 'WWW-Authenticate header').toBeTruthy();
    }

    it('refuses a request without an Authorization header', async () => {
      expect401(await server.request('GET', '/users', { auth: false }));
    });

    it('refuses a malformed Authorization header', async () => {
      for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', server.key, `Bearer ${server.key} extra`, 'SharedAccessSignature uid=1&ex=x&sn=y']) {
        expect401(await server.request('GET', '/users', { headers: { authorization: value } }));
      }
    });

    it('refuses a wrong key', async () => {
      expect401(await server.request('GET', '/users', { headers: { authorization: 'Bearer not-the-right-key' } }));
      expect401(await server.request('GET', '/users', { headers: { authorization: `Bearer ${server.key}x` } }));
    });

    it('refuses a wrong key on writes too, and writes nothing', async () => {
      const res = await server.request('PUT', '/users/err-unauth', {
        body: user('err.unauth@example.com'),
        headers: { authorization: 'Bearer wrong' },
      });
      expect401(res);
      expect(await server.app.store.users.findUser('err-unauth')).toBeUndefined();
    });

    it('accepts the right key', async () => {
      const res = await server.request('GET', '/users');
      expect(res.status, res.text).toBe(200);
    });
  });

  describe('service, api-version and routing', () => {
    it('answers 404 in Azure shape for another service name', async () => {
      const res = await server.request(
        'GET',
        `${server.url}/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/someOtherService/users`,
      );
      expectAzureError(res, 404, 'ResourceNotFound');
    });

    it('answers 400 MissingApiVersionParameter without api-version', async () => {
      expectAzureError(await server.request('GET', '/users', { apiVersion: null }), 400, 'MissingApiVersionParameter');
      expectAzureError(await server.request('GET', '/users', { apiVersion: '' }), 400, 'MissingApiVersionParameter');
    });

    it('answers 400 InvalidApiVersionParameter for an unknown api-version', async () => {
      for (const v of ['2019-01-01', '2024-05-01-preview', 'latest']) {
        expectAzureError(await server.request('GET', '/users', { apiVersion: v }), 400, 'InvalidApiVersionParameter');
      }
    });

    it('accepts api-version 2022-08-01', async () => {
      const res = await server.request('GET', '/users/err-existing', { apiVersion: '2022-08-01' });
      expect(res.status, res.text).toBe(200);
      expect(res.json.name).toBe('err-existing');
    });

    it('matches ARM path segments case-insensitively (/resourcegroups/)', async () => {
      const lower = `${server.url}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.ApiManagement/service/${SERVICE_NAME}`;
      const res = await server.request('GET', `${lower}/users/err-existing`);
      expect(res.status, res.text).toBe(200);
      expect(res.json.name).toBe('err-existing');

      const shouting = `${server.url}/SUBSCRIPTIONS/${SUBSCRIPTION_ID}/RESOURCEGROUPS/${RESOURCE_GROUP}/PROVIDERS/microsoft.apimanagement/SERVICE/${SERVICE_NAME}`;
      const res2 = await server.request('GET', `${shouting}/Users`);
      expect(res2.status, res2.text).toBe(200);
      expect(Array.isArray(res2.json.value)).toBe(true);
    });

    it('keeps the case of ids when the fixed segments are in another case', async () => {
      const put = await server.request('PUT', '/users/MixedCaseId', { body: user('err.mixed@example.com') });
      expect(put.status, put.text).toBe(201);
      const lower = `${server.url}/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RESOURCE_GROUP}/providers/microsoft.apimanagement/service/${SERVICE_NAME}`;
      const res = await server.request('GET', `${lower}/users/MixedCaseId`);
      expect(res.status, res.text).toBe(200);
      expect(res.json.name).toBe('MixedCaseId');
    });

    it('answers 404 in Azure shape for an unknown route', async () => {
      expectAzureError(await server.request('GET', '/nonexistentThings'), 404, 'ResourceNotFound');
      expectAzureError(await server.request('GET', '/users/err-existing/nonexistent'), 404, 'ResourceNotFound');
      expectAzureError(await server.request('GET', `${server.url}/nothing/here`), 404, 'ResourceNotFound');
      expectAzureError(await server.request('POST', '/users'), 404, 'ResourceNotFound');
    });
  });

  describe('malformed URLs', () => {
    it('a path with broken percent-encoding is a 400 in Azure shape', async () => {
      expectAzureError(await server.request('GET', '/users/%E0%A4%A'), 400);
      expectAzureError(await server.request('GET', '/users/%zz'), 400);
    });

    it('an encoded slash or control character in an id is refused in Azure shape', async () => {
      expectValidationError(await server.request('GET', '/users/a%2Fb'), 'userId');
      expectValidationError(await server.request('GET', '/users/a%00b'), 'userId');
    });
  });

  describe('request bodies', () => {
    it('answers 400 for malformed JSON', async () => {
      for (const raw of ['{bad', '{"properties": ', '[1,2', 'nul']) {
        const res = await server.request('PUT', '/users/err-badjson', { rawBody: raw, headers: { 'content-type': 'application/json' } });
        expectAzureError(res, 400);
      }
      expect(await server.app.store.users.findUser('err-badjson')).toBeUndefined();
    });

    it('answers 400 for a JSON body that is not an object', async () => {
      for (const raw of ['"a string"', '42', '[]']) {
        const res = await server.request('PUT', '/users/err-notobject', { rawBody: raw, headers: { 'content-type': 'application/json' } });
        expectAzureError(res, 400);
      }
    });

    it('answers 415 for application/xml', async () => {
      const res = await server.request('PUT', '/users/err-xml', {
        rawBody: '<properties><email>x@example.com</email></properties>',
        headers: { 'content-type': 'application/xml' },
      });
      expectAzureError(res, 415);
      expect(await server.app.store.users.findUser('err-xml')).toBeUndefined();
    });

    it('answers 415 for a form body', async () => {
      const res = await server.request('PUT', '/users/err-form', {
        rawBody: 'email=x%40example.com',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectAzureError(res, 415);
    });

    it('answers 415 for text/plain', async () => {
      const res = await server.request('PUT', '/users/err-text', {
        rawBody: JSON.stringify(user('err.text@example.com')),
        headers: { 'content-type': 'text/plain' },
      });
      expectAzureError(res, 415);
      expect(await server.app.store.users.findUser('err-text')).toBeUndefined();
    });

    it('answers 413 for a body over 1 MB', async () => {
      const raw = JSON.stringify(user('err.big@example.com', { note: 'x'.repeat(1024 * 1024 + 10) }));
      const res = await server.request('PUT', '/users/err-big', { rawBody: raw, headers: { 'content-type': 'application/json' } });
      expectAzureError(res, 413);
      expect(await server.app.store.users.findUser('err-big')).toBeUndefined();
    });

    it('still serves requests after a refused large body', async () => {
      const res = await server.request('GET', '/users/err-existing');
      expect(res.status).toBe(200);
    });
  });

  describe('validation details name each bad field', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing email', { firstName: 'A', lastName: 'B' }, 'email'],
      ['empty firstName', { email: 'v1@example.com', firstName: '', lastName: 'B' }, 'firstName'],
      ['blank firstName', { email: 'v2@example.com', firstName: '   ', lastName: 'B' }, 'firstName'],
      ['firstName over 100', { email: 'v3@example.com', firstName: 'f'.repeat(101), lastName: 'B' }, 'firstName'],
      ['lastName over 100', { email: 'v4@example.com', firstName: 'A', lastName: 'l'.repeat(101) }, 'lastName'],
      ['email over 254', { email: `${'e'.repeat(60)}@${'d'.repeat(190)}.example.com`, firstName: 'A', lastName: 'B' }, 'email'],
      ['bad email', { email: 'not-an-email', firstName: 'A', lastName: 'B' }, 'email'],
      ['email with two @', { email: 'a@b@example.com', firstName: 'A', lastName: 'B' }, 'email'],
      ['email of the wrong type', { email: 42, firstName: 'A', lastName: 'B' }, 'email'],
      ['unknown state', { email: 'v5@example.com', firstName: 'A', lastName: 'B', state: 'sleeping' }, 'state'],
    ];

    it.each(cases)('PUT user: %s', async (_label, properties, target) => {
      const res = await server.request('PUT', '/users/err-validation', { body: { properties } });
      expectValidationError(res, target);
      expect(await server.app.store.users.findUser('err-validation')).toBeUndefined();
    });

    it('names every bad field of one body', async () => {
      const res = await server.request('PUT', '/users/err-many', {
        body: { properties: { email: 'bad', firstName: '', lastName: 'l'.repeat(101) } },
      });
      expectValidationError(res, 'email', 'firstName', 'lastName');
    });

    it('a PUT without a body is a validation error', async () => {
      expectAzureError(await server.request('PUT', '/users/err-nobody'), 400);
      expectAzureError(await server.request('PUT', '/groups/err-nobody'), 400);
    });

    it('PATCH user: bad email', async () => {
      const res = await server.request('PATCH', '/users/err-existing', {
        body: { properties: { email: 'nope' } },
        headers: { 'if-match': '*' },
      });
      expectValidationError(res, 'email');
    });

    it('userId over 80 characters', async () => {
      const id = 'u'.repeat(81);
      expectValidationError(await server.request('PUT', `/users/${id}`, { body: user('long.id@example.com') }), 'userId');
      expectValidationError(await server.request('GET', `/users/${id}`), 'userId');
      // 80 is fine
      const ok = await server.request('PUT', `/users/${'u'.repeat(80)}`, { body: user('ok.id@example.com') });
      expect(ok.status, ok.text).toBe(201);
    });

    it('groupId over 256 characters', async () => {
      const id = 'g'.repeat(257);
      expectValidationError(await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: 'x' } } }), 'groupId');
      expectValidationError(await server.request('GET', `/groups/${id}`), 'groupId');
    });

    it('a path id far over its limit is still a 400 in Azure shape', async () => {
      expectValidationError(await server.request('GET', `/users/${'u'.repeat(150)}`), 'userId');
      expectValidationError(await server.request('GET', `/groups/${'g'.repeat(1000)}`), 'groupId');
    });

    it('groupIds of 101 to 256 characters are valid', async () => {
      for (const n of [101, 200, 256]) {
        const id = `g${n}-`.padEnd(n, 'g');
        const ok = await server.request('PUT', `/groups/${id}`, { body: { properties: { displayName: `long ${n}` } } });
        expect(ok.status, `${n}: ${ok.text.slice(0, 300)}`).toBe(201);
        expect(ok.json.name).toBe(id);
        const member = await server.request('PUT', `/groups/${id}/users/err-existing`);
        expect(member.status, `${n}: ${member.text.slice(0, 300)}`).toBe(201);
      }
    });

    it('group displayName empty or over 300 characters', async () => {
      expectValidationError(
        await server.request('PUT', '/groups/err-g1', { body: { properties: { displayName: 'd'.repeat(301) } } }),
        'displayName',
      );
      expectValidationError(await server.request('PUT', '/groups/err-g1', { body: { properties: { displayName: '' } } }), 'displayName');
      expectValidationError(await server.request('PUT', '/groups/err-g1', { body: { properties: {} } }), 'displayName');
      const ok = await server.request('PUT', '/groups/err-g1', { body: { properties: { displayName: 'd'.repeat(300) } } });
      expect(ok.status, ok.text).toBe(201);
    });

    it('group description over 1000 characters', async () => {
      const res = await server.request('PUT', '/groups/err-g2', {
        body: { properties: { displayName: 'x', description: 'd'.repeat(1001) } },
      });
      expectValidationError(res, 'description');
      expectAzureError(await server.request('GET', '/groups/err-g2'), 404);
    });

    it('group type outside the enum', async () => {
      const res = await server.request('PUT', '/groups/err-g3', { body: { properties: { displayName: 'x', type: 'secret' } } });
      expectValidationError(res, 'type');
    });

    const queries: [string, Record<string, string>, string][] = [
      ['$top=0', { $top: '0' }, '$top'],
      ['$top=abc', { $top: 'abc' }, '$top'],
      ['$top=-1', { $top: '-1' }, '$top'],
      ['$top=1.5', { $top: '1.5' }, '$top'],
      ['$top beyond int32', { $top: '99999999999' }, '$top'],
      ['$skip=-1', { $skip: '-1' }, '$skip'],
      ['$skip=abc', { $skip: 'abc' }, '$skip'],
      ['expandGroups=maybe', { expandGroups: 'maybe' }, 'expandGroups'],
      ['malformed $filter (no literal)', { $filter: 'email eq' }, '$filter'],
      ['malformed $filter (unterminated string)', { $filter: "email eq 'abc" }, '$filter'],
      ['malformed $filter (unbalanced parenthesis)', { $filter: "(email eq 'a'" }, '$filter'],
      ['malformed $filter (garbage)', { $filter: '%%%' }, '$filter'],
      ['unknown $filter field', { $filter: "password eq 'x'" }, '$filter'],
      ['unknown $filter field (other)', { $filter: "nickname eq 'x'" }, '$filter'],
      ['unsupported operator on state', { $filter: "state ne 'active'" }, '$filter'],
    ];

    it.each(queries)('GET users: %s', async (_label, query, target) => {
      expectValidationError(await server.request('GET', '/users', { query }), target);
    });

    it('GET groups: unknown $filter field and bad paging', async () => {
      expectValidationError(await server.request('GET', '/groups', { query: { $filter: "state eq 'x'" } }), '$filter');
      expectValidationError(await server.request('GET', '/groups', { query: { $top: '0' } }), '$top');
      expectValidationError(await server.request('GET', '/groups', { query: { $skip: '-1' } }), '$skip');
    });

    it('names the query parameter when it is given twice', async () => {
      const res = await server.request('GET', `${server.base}/users?api-version=2024-05-01&$top=1&$top=2`);
      expectValidationError(res, '$top');
    });

    it('does not echo a long filter back in full', async () => {
      const long = `email eq ${'x'.repeat(1500)}`;
      const res = await server.request('GET', '/users', { query: { $filter: long } });
      expectValidationError(res, '$filter');
      expect(res.text.length).toBeLessThan(1500);
    });

    it('token expiry must be a date-time', async () => {
      const res = await server.request('POST', '/users/err-existing/token', {
        body: { properties: { keyType: 'primary', expiry: 'tomorrow' } },
      });
      expectValidationError(res, 'expiry');
    });
  });

  describe('no internals leak', () => {
    it('a NUL character in a body string is refused with 400 (not stored, not a 500)', async () => {
      const res = await server.request('PUT', '/users/err-nul', {
        body: { properties: { email: 'err.nul@example.com', firstName: 'A\u0000B', lastName: 'C' } },
      });
      expectValidationError(res, 'firstName');
      expect(await server.app.store.users.findUser('err-nul')).toBeUndefined();
    });

    it('an unexpected internal failure answers a generic 500 in Azure shape', async () => {
      // Provoke a database failure from outside the server: the outbox table disappears.
      await sql`drop table outbox`.execute(server.app.database.db);
      const res = await server.request('POST', '/users/err-existing/confirmations/password/send');
      expectAzureError(res, 500, 'InternalServerError');
      expect(res.json.error.details).toEqual([]);
      // Nothing about the cause: no table name, no SQL, no driver message.
      expect(res.text).not.toMatch(/outbox|sql|sqlite|postgres|relation|table/i);
      expect(leakSigns(res.text)).toEqual([]);
      // The server keeps answering.
      const after = await server.request('GET', '/users/err-existing');
      expect(after.status).toBe(200);
    });
  });
});
