/** Try it's request: only the gateway, each value encoded in its place, reserved headers refused; the parameters of an operation. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { operationParameters, exampleText } from '../../src/domain/api-reference/operation.js';
import { tryItRequest } from '../../src/domain/api-reference/try-it.js';

const gateway = { url: 'https://gw.example/base/', apiPath: 'shop/v1', keyHeader: 'Ocp-Apim-Subscription-Key' };
const operation = {
  method: 'post',
  urlTemplate: '/items/{id}/notes?kind={kind}',
  parameters: operationParameters({
    urlTemplate: '/items/{id}/notes?kind={kind}',
    templateParameters: [{ name: 'id', type: 'integer', description: 'Item' }, { name: 'kind', type: 'string' }],
    request: { queryParameters: [{ name: 'page', type: 'integer' }, { name: 'kind', type: 'string' }], headers: [{ name: 'X-Trace', type: 'string', required: true }, { name: 'Host', type: 'string' }, { name: 'ocp-apim-subscription-key', type: 'string' }] },
    responses: null,
  }),
};
const values = (entries: Record<string, string>, body = '', contentType = '') => ({ values: new Map(Object.entries(entries)), body, contentType });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.details.map((d) => `${d.target}: ${d.message}`);
    throw error;
  }
  return [];
}

describe('operationParameters', () => {
  it('reads the template (path, then its query part) and the request, without repeats', () => {
    expect(operation.parameters.map((p) => [p.location, p.name, p.required, p.type])).toEqual([
      ['path', 'id', true, 'integer'],
      ['query', 'kind', true, 'string'],
      ['query', 'page', false, 'integer'],
      ['header', 'X-Trace', true, 'string'],
      ['header', 'Host', false, 'string'],
      ['header', 'ocp-apim-subscription-key', false, 'string'],
    ]);
  });
});

describe('tryItRequest', () => {
  it('puts each value in its place, encoded, under the gateway URL and the API path', () => {
    const r = tryItRequest(gateway, operation, values({ 'path:id': '../x/y?z#w', 'query:kind': 'a&b=c', 'query:page': '2', 'header:X-Trace': 't' }, '{"a":1}', 'application/json'));
    expect(r.url).toBe('https://gw.example/base/shop/v1/items/..%2Fx%2Fy%3Fz%23w/notes?kind=a%26b%3Dc&page=2');
    expect(r.method).toBe('POST');
    expect(r.headers).toEqual({ 'x-trace': 't', 'content-type': 'application/json' });
    expect(r.body).toBe('{"a":1}');
  });

  it('stays on the gateway origin whatever a value holds', () => {
    for (const v of ['//evil.example', 'http://evil.example', '@evil.example', '\\\\evil.example', '%2e%2e', 'a/../../..']) {
      const r = tryItRequest(gateway, operation, values({ 'path:id': v, 'query:kind': v, 'header:X-Trace': 't' }));
      expect(new URL(r.url).origin).toBe('https://gw.example');
      expect(new URL(r.url).pathname.startsWith('/base/shop/v1/items/')).toBe(true);
    }
  });

  it('refuses missing required values, dot segments, reserved and key headers, and line breaks', () => {
    expect(problems(() => tryItRequest(gateway, operation, values({ 'path:id': '..', 'header:Host': 'evil', 'header:ocp-apim-subscription-key': 'k' })))).toEqual([
      'path:id: The value of id cannot be "..".',
      'query:kind: Enter a value for kind: it is required.',
      'header:X-Trace: Enter a value for X-Trace: it is required.',
      'header:Host: The header Host cannot be set here.',
      'header:ocp-apim-subscription-key: The header ocp-apim-subscription-key cannot be set here.',
    ]);
    expect(problems(() => tryItRequest(gateway, operation, values({ 'path:id': '1', 'query:kind': 'k', 'header:X-Trace': 'a\r\nHost: evil' })))).toEqual([
      'header:X-Trace: The value of X-Trace cannot hold line breaks or control characters.',
    ]);
    expect(problems(() => tryItRequest(gateway, operation, values({ 'path:id': '1', 'query:kind': 'k', 'header:X-Trace': 't' }, '{}', '')))).toEqual(['contentType: Choose the content type of the body.']);
  });

  it('sends no body with GET, and an API at the gateway root has no double slash', () => {
    const r = tryItRequest({ ...gateway, url: 'http://gw.example', apiPath: '' }, { method: 'GET', urlTemplate: '/a', parameters: [] }, values({}, 'ignored', 'text/plain'));
    expect(r).toEqual({ url: 'http://gw.example/a', method: 'GET', headers: {}, body: undefined });
  });
});

describe('exampleText', () => {
  it('pretty-prints JSON, also JSON held in a string, and cuts long text', () => {
    expect(exampleText({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(exampleText('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(exampleText('<x/>')).toBe('<x/>');
    expect(exampleText('abcdef', 3)).toBe('abc\n…');
  });
});
