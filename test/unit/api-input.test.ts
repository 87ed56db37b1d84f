import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import {
  API_DESCRIPTION_MAX,
  API_DISPLAY_NAME_MAX,
  API_ID_MAX,
  API_ID_PATTERN,
  API_PATH_MAX,
  API_PROTOCOLS,
  API_REVISION,
  API_SERVICE_URL_MAX,
  API_TYPE,
  DEFAULT_KEY_HEADER,
  DEFAULT_KEY_QUERY,
  DEFAULT_PROTOCOLS,
  OPERATION_DESCRIPTION_MAX,
  OPERATION_DISPLAY_NAME_MAX,
  OPERATION_ID_MAX,
  TEMPLATE_PARAMETERS_MAX,
  URL_TEMPLATE_MAX,
  checkApiProperties,
  checkOperationProperties,
  checkTemplateParameters,
  isHttpUrl,
  normalizeApiPath,
  parseApiCreate,
  parseApiUpdate,
  parseOperationCreate,
  parseOperationUpdate,
  urlTemplateParameters,
  type TemplateParameter,
} from '../../src/domain/api-input.js';
import { messagesOf, refusalOf } from '../helpers/input.js';

// Mutants still alive, all equivalent or not measurable:
// - isHttpUrl's `url.hostname !== ''` (→ true, or another string): the URL parser gives an http or
//   https URL a host or refuses it;
// - the `code: 'custom'` of the issues the path and URL-template checks add (→ ''): parseInput
//   reports only their messages;
// - in the URL template's issue, `details[0]?.` (→ `details[0].`) and the fallback message 'is not a
//   valid URL template' (never reached): urlTemplateParameters throws only AppErrors with a detail;
// - the template loop's `i < template.length` → `<=`: one more step past the end reads nothing;
// - shortText → () => undefined: the module then throws as it loads, which Stryker's vitest runner
//   counts as survived (no test ran; stryker-js#6150).

const IMPORT = 'Importing WSDL definitions (wsdlSelector) is not supported by Tollgate.';
/** An import is a PUT (parseApiPut); the properties that ask for one are refused everywhere else. */
const IMPORT_ON_PATCH = "An API definition is imported with PUT (format and value); PATCH changes the API's own properties only.";
const VERSIONS = 'API versions and version sets are not supported by Tollgate.';
const REVISIONS = 'API revisions are not supported by Tollgate: every API has the single revision 1.';
const TYPES = "SOAP, WebSocket, GraphQL, OData and gRPC APIs are not supported by Tollgate; only HTTP APIs (type 'http') are.";
const AUTH = 'Authentication settings (OAuth 2.0 and OpenID Connect authorization servers) are not supported by Tollgate.';
const TERMS = 'API terms of service, contact and license information are not supported by Tollgate.';

/** The one refusal `run` throws: its message (the feature's, for an unsupported one) and its detail. */
function refused(run: () => unknown): { message: string; target?: string; detail: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.kind).toBe('validation');
    expect(error.details).toHaveLength(1);
    const [d] = error.details;
    expect(d!.code).toBe('ValidationError');
    return { message: error.message, target: d!.target, detail: d!.message };
  }
  throw new Error('expected a validation error');
}

/** `levels` arrays one inside the other, the innermost holding `inner` when given. */
function nested(levels: number, inner?: unknown): unknown {
  let value: unknown = inner === undefined ? [] : [inner];
  for (let i = 1; i < levels; i += 1) value = [value];
  return value;
}

/** `levels` objects one inside the other. */
function nestedObjects(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i += 1) value = { settings: value };
  return value;
}

describe('the limits and defaults', () => {
  it("are Azure's", () => {
    expect([API_ID_MAX, OPERATION_ID_MAX, API_DISPLAY_NAME_MAX, API_DESCRIPTION_MAX, API_PATH_MAX, API_SERVICE_URL_MAX]).toEqual([256, 80, 300, 20000, 400, 2000]);
    expect([OPERATION_DISPLAY_NAME_MAX, OPERATION_DESCRIPTION_MAX, URL_TEMPLATE_MAX, TEMPLATE_PARAMETERS_MAX]).toEqual([300, 1000, 1000, 50]);
    expect(API_PROTOCOLS).toEqual(['http', 'https', 'ws', 'wss']);
    expect(DEFAULT_PROTOCOLS).toEqual(['https']);
    expect(Object.isFrozen(DEFAULT_PROTOCOLS)).toBe(true);
    expect(DEFAULT_KEY_HEADER).toBe('Ocp-Apim-Subscription-Key');
    expect(DEFAULT_KEY_QUERY).toBe('subscription-key');
    expect(API_TYPE).toBe('http');
    expect(API_REVISION).toBe('1');
    expect(API_ID_PATTERN.test('echo-api_v1.2')).toBe(true);
    for (const c of ['*', '#', '&', '+', ':', '<', '>', '?']) expect(API_ID_PATTERN.test(`a${c}b`), c).toBe(false);
  });
});

describe('checkApiProperties', () => {
  it('passes the properties of the API contract Tollgate implements', () => {
    const all = {
      displayName: 'Echo',
      description: 'd',
      path: 'echo',
      serviceUrl: 'https://backend.example',
      protocols: ['https'],
      subscriptionRequired: true,
      subscriptionKeyParameterNames: { header: 'k', query: 'k' },
      type: 'http',
      apiType: 'http',
      apiRevision: '1',
      isCurrent: true,
    };
    expect(checkApiProperties(all)).toEqual(all);
    expect(checkApiProperties({})).toEqual({});
  });

  it('drops the read-only properties a client sends back from a GET', () => {
    expect(checkApiProperties({ path: 'echo', isOnline: true, provisioningState: 'Succeeded' })).toEqual({ path: 'echo' });
  });

  it('refuses a property the API contract does not have, naming it', () => {
    expect(refused(() => checkApiProperties({ path: 'echo', colour: 'red' }))).toEqual({
      message: 'One or more fields contain incorrect values.',
      target: 'colour',
      detail: 'is not a property of an API that Tollgate knows.',
    });
  });

  it('refuses what is not a JSON object', () => {
    for (const value of [null, undefined, 'echo', 5, true, [], [{ path: 'echo' }]]) {
      expect(refused(() => checkApiProperties(value))).toEqual({
        message: 'One or more fields contain incorrect values.',
        target: 'properties',
        detail: 'must be a JSON object.',
      });
    }
  });

  it('refuses each property of a feature Tollgate does not implement, saying which feature', () => {
    const features: Record<string, string> = {
      format: IMPORT_ON_PATCH,
      value: IMPORT_ON_PATCH,
      wsdlSelector: IMPORT,
      translateRequiredQueryParameters: IMPORT_ON_PATCH,
      apiVersionSet: VERSIONS,
      apiVersionSetId: VERSIONS,
      apiVersion: VERSIONS,
      apiVersionDescription: VERSIONS,
      sourceApiId: REVISIONS,
      apiRevisionDescription: REVISIONS,
      soapApiType: TYPES,
      authenticationSettings: AUTH,
      termsOfServiceUrl: TERMS,
      contact: TERMS,
      license: TERMS,
    };
    for (const [property, message] of Object.entries(features)) {
      expect(refused(() => checkApiProperties({ path: 'echo', [property]: 'x' })), property).toEqual({ message, target: property, detail: message });
    }
  });

  it('passes and drops the empty values generic clients send for features they do not use', () => {
    for (const empty of [null, undefined, '', [], {}, [null, ''], { name: null, url: '' }, { oAuth2: { scope: [] }, openid: null }]) {
      expect(checkApiProperties({ path: 'echo', contact: empty, apiVersionSet: empty, format: empty }), JSON.stringify(empty)).toEqual({ path: 'echo' });
    }
  });

  it('refuses any non-empty value, however small or deep', () => {
    for (const value of [0, false, true, 'x', ' ', [0], ['a'], { name: 'n' }, { a: { b: [null, 'x'] } }, [[], [{}], 'x']]) {
      expect(refused(() => checkApiProperties({ contact: value })).target, JSON.stringify(value)).toBe('contact');
    }
  });

  it('takes a value as empty up to 8 levels deep, and refuses one nested deeper', () => {
    expect(checkApiProperties({ contact: nested(8) })).toEqual({});
    expect(checkApiProperties({ contact: nested(8, null) })).toEqual({});
    expect(checkApiProperties({ contact: nested(8, '') })).toEqual({});
    expect(checkApiProperties({ contact: nestedObjects(8) })).toEqual({});
    expect(refused(() => checkApiProperties({ contact: nested(9) }))).toEqual({ message: TERMS, target: 'contact', detail: TERMS });
    expect(refused(() => checkApiProperties({ contact: nestedObjects(9) })).target).toBe('contact');
    expect(refused(() => checkApiProperties({ contact: [[], nested(9)] })).target).toBe('contact');
    expect(refused(() => checkApiProperties({ contact: nested(5000) })).target).toBe('contact');
  });

  it("takes type and apiType only as 'http' (or null), saying which type is refused", () => {
    for (const key of ['type', 'apiType']) {
      expect(checkApiProperties({ [key]: 'http' })).toEqual({ [key]: 'http' });
      expect(checkApiProperties({ [key]: null })).toEqual({ [key]: null });
      for (const type of ['soap', 'websocket', 'graphql', 'HTTP', '']) {
        const message = `APIs of type '${type}' are not supported by Tollgate; only HTTP APIs (type 'http') are.`;
        expect(refused(() => checkApiProperties({ [key]: type })), `${key} ${type}`).toEqual({ message, target: key, detail: message });
      }
      expect(refused(() => checkApiProperties({ [key]: 5 })).detail).toBe("APIs of type '5' are not supported by Tollgate; only HTTP APIs (type 'http') are.");
    }
  });

  it("takes apiRevision only as '1' (or null) and isCurrent only as true (or null)", () => {
    expect(checkApiProperties({ apiRevision: '1', isCurrent: true })).toEqual({ apiRevision: '1', isCurrent: true });
    expect(checkApiProperties({ apiRevision: null, isCurrent: null })).toEqual({ apiRevision: null, isCurrent: null });
    for (const apiRevision of ['2', 1, '']) {
      expect(refused(() => checkApiProperties({ apiRevision }))).toEqual({ message: REVISIONS, target: 'apiRevision', detail: REVISIONS });
    }
    expect(refused(() => checkApiProperties({ isCurrent: false }))).toEqual({ message: REVISIONS, target: 'isCurrent', detail: REVISIONS });
  });
});

describe('checkOperationProperties', () => {
  it('passes the properties of the operation contract Tollgate implements', () => {
    const all = { displayName: 'Get', method: 'GET', urlTemplate: '/x', description: 'd', templateParameters: [] };
    expect(checkOperationProperties(all)).toEqual(all);
  });

  it('refuses policies unless empty; passes request and response descriptions to the schema', () => {
    const message = 'Policies are not supported by Tollgate.';
    expect(refused(() => checkOperationProperties({ policies: { x: 1 } }))).toEqual({ message, target: 'policies', detail: message });
    expect(checkOperationProperties({ method: 'GET', policies: { queryParameters: [], headers: null } })).toEqual({ method: 'GET' });
    expect(checkOperationProperties({ policies: nested(8) })).toEqual({});
    expect(refused(() => checkOperationProperties({ policies: nested(9) })).target).toBe('policies');
    expect(checkOperationProperties({ request: { x: 1 }, responses: [] })).toEqual({ request: { x: 1 }, responses: [] });
  });

  it('refuses anything else, and what is not an object', () => {
    expect(refused(() => checkOperationProperties({ method: 'GET', isOnline: true }))).toEqual({
      message: 'One or more fields contain incorrect values.',
      target: 'isOnline',
      detail: 'is not a property of an API operation that Tollgate knows.',
    });
    expect(refused(() => checkOperationProperties([])).target).toBe('properties');
  });
});

describe('normalizeApiPath', () => {
  it('strips every leading and trailing slash, and nothing inside', () => {
    expect(normalizeApiPath('/echo/')).toBe('echo');
    expect(normalizeApiPath('///a/b///')).toBe('a/b');
    expect(normalizeApiPath('a//b')).toBe('a//b');
    expect(normalizeApiPath('a/b')).toBe('a/b');
    expect(normalizeApiPath('/')).toBe('');
    expect(normalizeApiPath('')).toBe('');
  });
});

describe('isHttpUrl', () => {
  it('is true for absolute http and https URLs', () => {
    for (const url of ['http://backend', 'https://backend.example:8443/v1?x=1', 'HTTPS://Backend.Example', 'http://10.0.0.1/']) {
      expect(isHttpUrl(url), url).toBe(true);
    }
  });

  it('is false for other schemes, relative or malformed URLs, and any white space', () => {
    for (const url of ['', 'backend.example', '/v1', 'ftp://backend', 'ws://backend', 'file:///etc/passwd', 'http://', 'https://a b', 'http://backend/ v1', ' http://backend', 'http://backend\t', 'http://backend/\nx']) {
      expect(isHttpUrl(url), JSON.stringify(url)).toBe(false);
    }
  });
});

describe('urlTemplateParameters', () => {
  const fails = (template: string) => refused(() => urlTemplateParameters(template));

  it('lists the parameters of the path and the query, in order', () => {
    expect(urlTemplateParameters('/')).toEqual([]);
    expect(urlTemplateParameters('/users')).toEqual([]);
    expect(urlTemplateParameters('/users/{id}')).toEqual(['id']);
    expect(urlTemplateParameters('/a/{x}/b/{Y_2}/c/{_z-3}?q={query}&p={p}')).toEqual(['x', 'Y_2', '_z-3', 'query', 'p']);
    expect(urlTemplateParameters('/{a}{b}')).toEqual(['a', 'b']);
  });

  it("takes '*' only as a final '/*' path wildcard", () => {
    expect(urlTemplateParameters('/*')).toEqual([]);
    expect(urlTemplateParameters('/files/*')).toEqual([]);
    expect(urlTemplateParameters('/files/{dir}/*?v={v}')).toEqual(['dir', 'v']);
    expect(urlTemplateParameters('/files?glob=*')).toEqual([]);
    expect(urlTemplateParameters('/*?x=1/*')).toEqual([]);
    const message = "may contain '*' only as a final '/*' wildcard.";
    for (const template of ['/files*', '/*/files', '/files/**', '/fi*les', '/files/*/', '/*/*', '/a*/b/*']) {
      expect(fails(template).detail, template).toBe(message);
    }
  });

  it("must start with '/'", () => {
    for (const template of ['users', '', '{id}', '?q=1']) {
      expect(fails(template), template).toEqual({ message: 'One or more fields contain incorrect values.', target: 'urlTemplate', detail: "must start with '/'." });
    }
  });

  it('must not contain white space, control characters or #', () => {
    for (const template of ['/a b', '/a\tb', '/a\nb', '/a\u0000', '/a\u001f', '/a\u007f', '/a#b', '/a?q=#']) {
      expect(fails(template).detail, JSON.stringify(template)).toBe('must not contain white space or #.');
    }
    expect(urlTemplateParameters('/a\u0080b')).toEqual([]);
  });

  it('must not contain empty path segments (the query may hold //)', () => {
    for (const template of ['//', '//a', '/a//b', '/a/b//']) {
      expect(fails(template).detail, template).toBe('must not contain empty path segments.');
    }
    expect(urlTemplateParameters('/a?next=//b')).toEqual([]);
    expect(urlTemplateParameters('/a/')).toEqual([]);
  });

  it('must pair its braces, saying where one is unpaired', () => {
    expect(fails('/a}').detail).toBe("has a '}' without a matching '{' at position 2.");
    expect(fails('/{a}}').detail).toBe("has a '}' without a matching '{' at position 4.");
    expect(fails('/a/{b').detail).toBe("has a '{' without a matching '}' at position 3.");
    expect(fails('/{a}/{b').detail).toBe("has a '{' without a matching '}' at position 5.");
    expect(fails('/{a{b}}').detail).toBe("has a '{' inside another at position 1.");
  });

  it('must name its parameters as identifiers', () => {
    const invalid = (name: string) =>
      `has an invalid parameter name '{${name}}': names are identifiers (letters, digits, _ and -, not starting with a digit).`;
    for (const name of ['', '1a', '-a', 'a.b', 'a/b', 'é', 'a:b']) {
      expect(fails(`/x/{${name}}`).detail, name).toBe(invalid(name));
    }
    // A long name is quoted by its first 40 characters.
    expect(fails(`/{${'n'.repeat(39)}.${'m'.repeat(50)}}`).detail).toBe(invalid(`${'n'.repeat(39)}.`));
  });

  it('must use each parameter once', () => {
    expect(fails('/{a}/{a}').detail).toBe("uses the parameter '{a}' more than once.");
    expect(fails('/{id}?id={id}').detail).toBe("uses the parameter '{id}' more than once.");
    expect(urlTemplateParameters('/{a}/{A}')).toEqual(['a', 'A']);
  });
});

describe('checkTemplateParameters', () => {
  const params = (...names: string[]): TemplateParameter[] => names.map((name) => ({ name, type: 'string' }));
  const fails = (template: string, parameters: TemplateParameter[]) => refused(() => checkTemplateParameters(template, parameters));

  it('passes when the declared parameters are those of the template, in any order', () => {
    expect(() => checkTemplateParameters('/', [])).not.toThrow();
    expect(() => checkTemplateParameters('/{a}/{b}?c={c}', params('c', 'a', 'b'))).not.toThrow();
  });

  it('refuses a parameter declared twice', () => {
    expect(fails('/{a}', params('a', 'a'))).toEqual({
      message: 'One or more fields contain incorrect values.',
      target: 'templateParameters',
      detail: "declares 'a' more than once.",
    });
    expect(fails('/{a}/{b}', params('a', 'b', 'b')).detail).toBe("declares 'b' more than once.");
  });

  it('refuses a template parameter that is not declared, naming every one', () => {
    expect(fails('/{a}/{b}/{c}', params('b'))).toEqual({
      message: 'One or more fields contain incorrect values.',
      target: 'templateParameters',
      detail: 'must declare every parameter of the URL template; missing: a, c.',
    });
  });

  it('refuses a declared parameter the template does not use, naming every one', () => {
    expect(fails('/{a}', params('a', 'x', 'y'))).toEqual({
      message: 'One or more fields contain incorrect values.',
      target: 'templateParameters',
      detail: 'declares parameters the URL template does not use: x, y.',
    });
  });

  it('refuses an invalid template first', () => {
    expect(fails('nope', params('a', 'a')).target).toBe('urlTemplate');
  });
});

describe('parseApiCreate', () => {
  const ok = (props: Record<string, unknown>) => parseApiCreate({ path: 'echo', ...props });
  const bad = (props: Record<string, unknown>) => refusalOf(() => parseApiCreate({ path: 'echo', ...props }));

  it('needs a path; the rest is optional', () => {
    expect(parseApiCreate({ path: 'echo' })).toEqual({ path: 'echo' });
    expect(refusalOf(() => parseApiCreate({}))).toEqual({ path: 'is required' });
    expect(refusalOf(() => parseApiCreate({ path: 5 }))).toEqual({ path: 'is required' });
    expect(refusalOf(() => parseApiCreate({ path: null }))).toEqual({ path: 'is required' });
  });

  it('checks the unsupported features before the schema', () => {
    expect(refused(() => parseApiCreate({ format: 'openapi', value: '{}' })).target).toBe('format');
    expect(parseApiCreate({ path: 'echo', isOnline: true, type: 'http', format: null })).toEqual({ path: 'echo' });
  });

  it('stores the path without its leading and trailing slashes, up to 400 characters', () => {
    expect(ok({ path: '/echo/v1/' }).path).toBe('echo/v1');
    expect(ok({ path: '' }).path).toBe('');
    expect(ok({ path: '/' }).path).toBe('');
    expect(ok({ path: 'p'.repeat(400) }).path).toBe('p'.repeat(400));
    expect(ok({ path: `/${'p'.repeat(400)}/` }).path).toBe('p'.repeat(400));
    expect(bad({ path: 'p'.repeat(401) })).toEqual({ path: 'must be at most 400 characters' });
    expect(bad({ path: `/${'p'.repeat(401)}` })).toEqual({ path: 'must be at most 400 characters' });
    expect(bad({ path: 'p'.repeat(403) })).toEqual({ path: 'must be at most 400 characters' });
  });

  it('refuses a path with white space, control characters, ?, #, {, }, *, \\ or %', () => {
    for (const path of ['a b', 'a\tb', 'a\u0001', 'a\u001f', 'a\u007f', 'a?b', 'a#b', 'a{b', 'a}b', 'a*b', 'a\\b', 'a%20b']) {
      expect(bad({ path }), JSON.stringify(path)).toEqual({ path: 'must not contain white space, ?, #, {, }, *, \\ or %' });
    }
    expect(ok({ path: 'a-b_c.d~e/f' }).path).toBe('a-b_c.d~e/f');
  });

  it("refuses a path with empty, '.' or '..' segments", () => {
    for (const path of ['a//b', '.', '..', 'a/./b', 'a/..', '../a']) {
      expect(bad({ path }), path).toEqual({ path: "must not contain empty, '.' or '..' segments" });
    }
    expect(ok({ path: 'a/.b/..c/...' }).path).toBe('a/.b/..c/...');
    expect(ok({ path: '//a//' }).path).toBe('a');
  });

  it('takes a display name, trimmed, of 1 to 300 characters', () => {
    expect(ok({ displayName: '  Echo ' }).displayName).toBe('Echo');
    expect(ok({ displayName: 'd'.repeat(300) }).displayName).toBe('d'.repeat(300));
    expect(bad({ displayName: ' ' })).toEqual({ displayName: 'is required' });
    expect(bad({ displayName: 'd'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
  });

  it('takes a description of at most 20000 characters, or null', () => {
    expect(ok({ description: ' d ' }).description).toBe(' d ');
    expect(ok({ description: null }).description).toBeNull();
    expect(ok({ description: 'd'.repeat(20000) }).description).toHaveLength(20000);
    expect(bad({ description: 'd'.repeat(20001) })).toEqual({ description: 'must be at most 20000 characters' });
  });

  it("takes a backend URL: absolute http(s), at most 2000 characters; '' and null for none", () => {
    expect(ok({ serviceUrl: 'https://backend.example/v1' }).serviceUrl).toBe('https://backend.example/v1');
    expect(ok({ serviceUrl: '' }).serviceUrl).toBeNull();
    expect(ok({ serviceUrl: null }).serviceUrl).toBeNull();
    expect('serviceUrl' in ok({})).toBe(false);
    const longest = `https://b.example/${'x'.repeat(2000 - 18)}`;
    expect(longest).toHaveLength(2000);
    expect(ok({ serviceUrl: longest }).serviceUrl).toBe(longest);
    expect(Object.values(bad({ serviceUrl: `${longest}x` }))).toEqual(['must be at most 2000 characters']);
    for (const serviceUrl of ['backend', 'ftp://backend', 'http://a b']) {
      expect(bad({ serviceUrl }), serviceUrl).toEqual({ serviceUrl: 'must be an absolute http or https URL' });
    }
  });

  it('takes protocols in one order, each once', () => {
    expect(ok({ protocols: ['https'] }).protocols).toEqual(['https']);
    expect(ok({ protocols: ['wss', 'https', 'ws', 'http'] }).protocols).toEqual(['http', 'https', 'ws', 'wss']);
    expect(ok({ protocols: ['https', 'http', 'https'] }).protocols).toEqual(['http', 'https']);
    expect(ok({ protocols: Array(10).fill('http') }).protocols).toEqual(['http']);
    expect(bad({ protocols: Array(11).fill('http') })).toEqual({ protocols: 'must name each protocol once' });
    expect(bad({ protocols: [] })).toEqual({ protocols: 'must name at least one protocol' });
    expect(bad({ protocols: 'https' })).toEqual({ protocols: 'must be an array' });
    expect(bad({ protocols: ['https', 'ftp'] })).toEqual({ 'protocols.1': 'must be one of http, https, ws, wss' });
    expect(bad({ protocols: ['HTTPS'] })).toEqual({ 'protocols.0': 'must be one of http, https, ws, wss' });
  });

  it('takes subscriptionRequired as true or false', () => {
    expect(ok({ subscriptionRequired: false }).subscriptionRequired).toBe(false);
    expect(ok({ subscriptionRequired: true }).subscriptionRequired).toBe(true);
    expect(bad({ subscriptionRequired: 'true' })).toEqual({ subscriptionRequired: 'must be true or false' });
  });

  it('takes the key parameter names: a header name and a query name of 1 to 100 characters, or null', () => {
    const names = (value: unknown) => ok({ subscriptionKeyParameterNames: value }).subscriptionKeyParameterNames;
    const badNames = (value: unknown) => bad({ subscriptionKeyParameterNames: value });
    expect(names({ header: "X-Key_1.!#$%&'*+^`|~", query: 'api-key.~!$()' })).toEqual({ header: "X-Key_1.!#$%&'*+^`|~", query: 'api-key.~!$()' });
    expect(names({ header: 'h' })).toEqual({ header: 'h' });
    expect(names({})).toEqual({});
    expect(names(null)).toBeNull();
    expect(names({ header: 'h'.repeat(100), query: 'q'.repeat(100) })).toEqual({ header: 'h'.repeat(100), query: 'q'.repeat(100) });
    expect(badNames('key')).toEqual({ subscriptionKeyParameterNames: 'must be an object with header and query' });
    expect(messagesOf(() => parseApiCreate({ path: 'e', subscriptionKeyParameterNames: { header: '', query: '' } }))).toEqual([
      'subscriptionKeyParameterNames.header: is required',
      'subscriptionKeyParameterNames.header: must be a valid HTTP header name',
      'subscriptionKeyParameterNames.query: is required',
      'subscriptionKeyParameterNames.query: must not contain white space, &, =, #, ?, + or %',
    ]);
    expect(badNames({ header: 'h'.repeat(101) })).toEqual({ 'subscriptionKeyParameterNames.header': 'must be at most 100 characters' });
    expect(badNames({ query: 'q'.repeat(101) })).toEqual({ 'subscriptionKeyParameterNames.query': 'must be at most 100 characters' });
    for (const header of ['a b', 'a:b', 'a,b', 'a"b', 'a(b', 'é']) {
      expect(badNames({ header }), header).toEqual({ 'subscriptionKeyParameterNames.header': 'must be a valid HTTP header name' });
    }
    for (const query of ['a b', 'a&b', 'a=b', 'a#b', 'a?b', 'a+b', 'a%b', 'a\u0001', 'a\u007f']) {
      expect(badNames({ query }), JSON.stringify(query)).toEqual({
        'subscriptionKeyParameterNames.query': 'must not contain white space, &, =, #, ?, + or %',
      });
    }
  });

  it('collects the messages of every field', () => {
    expect(refusalOf(() => parseApiCreate({ path: 'a b', displayName: '', protocols: [] }))).toEqual({
      displayName: 'is required',
      path: 'must not contain white space, ?, #, {, }, *, \\ or %',
      protocols: 'must name at least one protocol',
    });
  });
});

describe('parseApiUpdate', () => {
  it('makes every field optional, with the same rules', () => {
    expect(parseApiUpdate({})).toEqual({});
    expect(parseApiUpdate({ path: '/v2/', serviceUrl: '', protocols: ['https', 'http'], displayName: ' E ' })).toEqual({
      path: 'v2',
      serviceUrl: null,
      protocols: ['http', 'https'],
      displayName: 'E',
    });
    expect(parseApiUpdate({ subscriptionKeyParameterNames: null, description: null, subscriptionRequired: false })).toEqual({
      subscriptionKeyParameterNames: null,
      description: null,
      subscriptionRequired: false,
    });
    expect(refusalOf(() => parseApiUpdate({ path: 5 }))).toEqual({ path: 'must be a string' });
    expect(refusalOf(() => parseApiUpdate({ path: 'a/../b' }))).toEqual({ path: "must not contain empty, '.' or '..' segments" });
    expect(refusalOf(() => parseApiUpdate({ path: 'p'.repeat(401) }))).toEqual({ path: 'must be at most 400 characters' });
    expect(refusalOf(() => parseApiUpdate({ serviceUrl: 'nope' }))).toEqual({ serviceUrl: 'must be an absolute http or https URL' });
    expect(refusalOf(() => parseApiUpdate({ displayName: 'd'.repeat(301) }))).toEqual({ displayName: 'must be at most 300 characters' });
    expect(refusalOf(() => parseApiUpdate({ description: 'd'.repeat(20001) }))).toEqual({ description: 'must be at most 20000 characters' });
    expect(refusalOf(() => parseApiUpdate({ protocols: [] }))).toEqual({ protocols: 'must name at least one protocol' });
    expect(refusalOf(() => parseApiUpdate({ subscriptionRequired: 1 }))).toEqual({ subscriptionRequired: 'must be true or false' });
    expect(refusalOf(() => parseApiUpdate({ subscriptionKeyParameterNames: { query: 'a b' } }))).toEqual({
      'subscriptionKeyParameterNames.query': 'must not contain white space, &, =, #, ?, + or %',
    });
  });

  it('checks the unsupported features first', () => {
    expect(refused(() => parseApiUpdate({ apiVersion: 'v2' }))).toEqual({ message: VERSIONS, target: 'apiVersion', detail: VERSIONS });
    expect(refused(() => parseApiUpdate({ owner: 'me' })).target).toBe('owner');
  });
});

describe('parseOperationCreate', () => {
  const operation = { displayName: 'Get user', method: 'GET', urlTemplate: '/users/{id}' };
  const ok = (props: Record<string, unknown>) => parseOperationCreate({ ...operation, ...props });
  const bad = (props: Record<string, unknown>) => refusalOf(() => parseOperationCreate({ ...operation, ...props }));

  it('needs a display name, a method and a URL template', () => {
    expect(parseOperationCreate(operation)).toEqual(operation);
    expect(refusalOf(() => parseOperationCreate({}))).toEqual({ displayName: 'must be a string', method: 'is required', urlTemplate: 'is required' });
    expect(bad({ method: 5, urlTemplate: null })).toEqual({ method: 'is required', urlTemplate: 'is required' });
  });

  it('checks the unsupported features before the schema', () => {
    expect(refused(() => parseOperationCreate({ ...operation, policies: '<policies/>' })).target).toBe('policies');
    expect(refused(() => parseOperationCreate({ ...operation, id: 'x' })).target).toBe('id');
  });

  it('takes a display name, trimmed, of 1 to 300 characters', () => {
    expect(ok({ displayName: ' Get ' }).displayName).toBe('Get');
    expect(ok({ displayName: 'd'.repeat(300) }).displayName).toHaveLength(300);
    expect(bad({ displayName: '' })).toEqual({ displayName: 'is required' });
    expect(bad({ displayName: 'd'.repeat(301) })).toEqual({ displayName: 'must be at most 300 characters' });
  });

  it('takes a method as an HTTP token of up to 30 characters, upper-cased', () => {
    expect(ok({ method: 'get' }).method).toBe('GET');
    expect(ok({ method: 'Patch' }).method).toBe('PATCH');
    expect(ok({ method: 'x-custom_1' }).method).toBe('X-CUSTOM_1');
    expect(ok({ method: 'm'.repeat(30) }).method).toBe('M'.repeat(30));
    expect(messagesOf(() => parseOperationCreate({ ...operation, method: '' }))).toEqual([
      'method: is required',
      'method: must be an HTTP method (a token such as GET, POST or PATCH)',
    ]);
    expect(bad({ method: 'M'.repeat(31) })).toEqual({ method: 'must be at most 30 characters' });
    for (const method of ['GE T', 'GET/', 'G:T', '(GET)', 'GÉT']) {
      expect(bad({ method }), method).toEqual({ method: 'must be an HTTP method (a token such as GET, POST or PATCH)' });
    }
  });

  it('takes a URL template of up to 1000 characters, refused with the reason it is invalid', () => {
    const longest = `/${'t'.repeat(999)}`;
    expect(ok({ urlTemplate: longest }).urlTemplate).toBe(longest);
    expect(Object.values(bad({ urlTemplate: `${longest}t` }))).toEqual(['must be at most 1000 characters']);
    expect(messagesOf(() => parseOperationCreate({ ...operation, urlTemplate: '' }))).toEqual(['urlTemplate: is required', "urlTemplate: must start with '/'."]);
    expect(bad({ urlTemplate: 'users' })).toEqual({ urlTemplate: "must start with '/'." });
    expect(bad({ urlTemplate: '/{a}/{a}' })).toEqual({ urlTemplate: "uses the parameter '{a}' more than once." });
  });

  it('takes a description of at most 1000 characters, or null', () => {
    expect(ok({ description: null }).description).toBeNull();
    expect(ok({ description: 'd'.repeat(1000) }).description).toHaveLength(1000);
    expect(bad({ description: 'd'.repeat(1001) })).toEqual({ description: 'must be at most 1000 characters' });
  });

  it('takes up to 50 template parameters, or null', () => {
    const full: TemplateParameter = {
      name: 'id',
      type: 'string',
      description: 'd',
      defaultValue: '1',
      required: true,
      values: ['1', '2'],
      schemaId: 's',
      typeName: 't',
      examples: { one: { value: 1 } },
    };
    expect(ok({ templateParameters: [full] }).templateParameters).toEqual([full]);
    expect(ok({ templateParameters: null }).templateParameters).toBeNull();
    const fifty = Array.from({ length: 50 }, (_, i) => ({ name: `p${i}`, type: 'string' }));
    expect(ok({ templateParameters: fifty }).templateParameters).toHaveLength(50);
    expect(bad({ templateParameters: [...fifty, { name: 'p50', type: 'string' }] })).toEqual({ templateParameters: 'at most 50 parameters' });
    expect(bad({ templateParameters: {} })).toEqual({ templateParameters: 'must be an array' });
  });

  it('takes each template parameter as an object of known fields within their limits', () => {
    const param = (extra: Record<string, unknown>) => bad({ templateParameters: [{ name: 'id', type: 'string', ...extra }] });
    const at = (field: string) => `templateParameters.0.${field}`;
    expect(bad({ templateParameters: ['id'] })).toEqual({ 'templateParameters.0': 'must be an object with name and type' });
    expect(param({ color: 'red' })).toEqual({ 'templateParameters.0': 'must be an object with name and type' });
    expect(param({ name: '' })).toEqual({ [at('name')]: 'is required' });
    expect(param({ name: 'n'.repeat(257) })).toEqual({ [at('name')]: 'must be at most 256 characters' });
    expect(param({ type: '' })).toEqual({ [at('type')]: 'is required' });
    expect(param({ type: 't'.repeat(101) })).toEqual({ [at('type')]: 'must be at most 100 characters' });
    expect(param({ description: 'd'.repeat(1001) })).toEqual({ [at('description')]: 'must be at most 1000 characters' });
    expect(param({ defaultValue: 'd'.repeat(1001) })).toEqual({ [at('defaultValue')]: 'must be at most 1000 characters' });
    expect(param({ required: 'yes' })).toEqual({ [at('required')]: 'must be true or false' });
    expect(param({ values: ['v'.repeat(1001)] })).toEqual({ [at('values.0')]: 'must be at most 1000 characters' });
    expect(param({ values: Array(101).fill('v') })).toEqual({ [at('values')]: 'at most 100 values' });
    expect(param({ schemaId: 's'.repeat(257) })).toEqual({ [at('schemaId')]: 'must be at most 256 characters' });
    expect(param({ typeName: 't'.repeat(257) })).toEqual({ [at('typeName')]: 'must be at most 256 characters' });
    expect(Object.keys(param({ examples: 'x' }))).toEqual([at('examples')]);
    const longest = { name: 'n'.repeat(256), type: 't'.repeat(100), description: 'd'.repeat(1000), defaultValue: 'v'.repeat(1000), values: Array(100).fill('v'.repeat(1000)), schemaId: 's'.repeat(256), typeName: 't'.repeat(256) };
    expect(ok({ templateParameters: [longest] }).templateParameters).toEqual([longest]);
  });
});

describe('parseOperationUpdate', () => {
  it('makes every field optional, with the same rules', () => {
    expect(parseOperationUpdate({})).toEqual({});
    expect(parseOperationUpdate({ method: 'delete', urlTemplate: '/x/*', displayName: ' Del ', description: null, templateParameters: null })).toEqual({
      method: 'DELETE',
      urlTemplate: '/x/*',
      displayName: 'Del',
      description: null,
      templateParameters: null,
    });
    expect(refusalOf(() => parseOperationUpdate({ method: 5 }))).toEqual({ method: 'must be a string' });
    expect(refusalOf(() => parseOperationUpdate({ method: 'a b' }))).toEqual({ method: 'must be an HTTP method (a token such as GET, POST or PATCH)' });
    expect(refusalOf(() => parseOperationUpdate({ urlTemplate: '/a*' }))).toEqual({ urlTemplate: "may contain '*' only as a final '/*' wildcard." });
    expect(refusalOf(() => parseOperationUpdate({ displayName: '' }))).toEqual({ displayName: 'is required' });
    expect(refusalOf(() => parseOperationUpdate({ description: 'd'.repeat(1001) }))).toEqual({ description: 'must be at most 1000 characters' });
    expect(refusalOf(() => parseOperationUpdate({ templateParameters: [{ name: 'a' }] }))).toEqual({ 'templateParameters.0.type': 'must be a string' });
    expect(refusalOf(() => parseOperationUpdate({ request: { queryParameters: [{ name: 'q' }] } }))).toEqual({ 'request.queryParameters.0.type': 'must be a string' });
    expect(refusalOf(() => parseOperationUpdate({ responses: [{ statusCode: 99 }] }))).toEqual({ 'responses.0.statusCode': 'must be an HTTP status code' });
    expect(parseOperationUpdate({ request: { headers: null }, responses: null })).toEqual({ request: { headers: null }, responses: null });
  });
});
