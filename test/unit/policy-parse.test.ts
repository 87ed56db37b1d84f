/**
 * parsePolicy: every element the gateway enforces becomes the expected element; everything it
 * cannot enforce (or that Azure would not allow where it stands) is refused with the element, line
 * and column; Azure's own example documents are either read or refused for a named reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOBAL_POLICY_XML, EMPTY_SCOPE_POLICY_XML, STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { FIRST_PERIOD_START_DEFAULT } from '../../src/domain/policy/elements/limits.js';
import { isNamedValueName, namedValueReferences } from '../../src/domain/policy/named-values.js';
import { parsePolicy } from '../../src/domain/policy/parse.js';
import { MAX_PROBLEMS } from '../../src/domain/policy/reader.js';
import type { PolicyDocument, PolicyElement, PolicyProblem, PolicyScope, SectionName } from '../../src/domain/policy/types.js';

const NAMED: Record<string, string> = {
  'call-count': '7',
  'Backend-Url': 'https://backend.example/v1',
  'client-header': '@(context.Request.Headers.GetValueOrDefault("X-Client", "anon"))',
  'secret-value': 's3cr3t',
};
const lookup = (name: string): string | undefined => Object.entries(NAMED).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** A document with `xml` alone in `section`: the element starts at line 3, column 5. */
function inSection(xml: string, section: SectionName = 'inbound'): string {
  return `<policies>\n  <${section}>\n    ${xml}\n  </${section}>\n</policies>`;
}

function parsed(xml: string, scope: PolicyScope = 'api'): PolicyDocument {
  const r = parsePolicy(xml, scope, lookup);
  if (!r.ok) throw new Error(JSON.stringify(r.problems, null, 2));
  return r.document;
}

function problems(xml: string, scope: PolicyScope = 'api'): readonly PolicyProblem[] {
  const r = parsePolicy(xml, scope, lookup);
  if (r.ok) throw new Error('accepted');
  return r.problems;
}

/** The one element of a one-element section, without its source text. */
function only(xml: string, scope: PolicyScope = 'api', section: SectionName = 'inbound'): PolicyElement {
  const elements = parsed(inSection(xml, section), scope).sections[section];
  expect(elements).toHaveLength(1);
  const { source, ...element } = elements[0] as PolicyElement;
  expect(source).toBe(xml);
  return element as PolicyElement;
}

/** The problems of a one-element document: each at the element (line 3, column 5) unless said otherwise. */
function refused(xml: string, scope: PolicyScope = 'api', section: SectionName = 'inbound'): PolicyProblem[] {
  return [...problems(inSection(xml, section), scope)];
}

function expectProblem(list: readonly PolicyProblem[], element: string, message: string, line = 3, column = 5): void {
  expect(list).toContainEqual({ element, line, column, message: expect.stringContaining(message) });
}

const AT = { line: 3, column: 5 };

describe("Azure's default documents", () => {
  it('reads the default global policy: forwarding, nothing else', () => {
    const doc = parsed(DEFAULT_GLOBAL_POLICY_XML, 'global');
    expect(doc.sections.inbound).toEqual([]);
    expect(doc.sections.outbound).toEqual([]);
    expect(doc.sections['on-error']).toEqual([]);
    expect(doc.sections.backend).toMatchObject([{ kind: 'forward-request', timeoutSeconds: 300 }]);
  });

  it("reads Starter's policy as Azure ships it: 5 calls per minute, 100 per week, then <base />", () => {
    expect(STARTER_POLICY_XML).toContain('<rate-limit calls="5" renewal-period="60" />');
    expect(STARTER_POLICY_XML).toContain('<quota calls="100" renewal-period="604800" />');
    expect(STARTER_POLICY_XML).not.toContain('on-error');
    const doc = parsed(STARTER_POLICY_XML, 'product');
    expect(doc.sections.inbound).toMatchObject([
      { kind: 'rate-limit', calls: 5, renewalPeriodSeconds: 60 },
      { kind: 'quota', calls: 100, renewalPeriodSeconds: 604800 },
      { kind: 'base' },
    ]);
    expect(doc.sections.backend).toMatchObject([{ kind: 'base' }]);
    expect(doc.sections.outbound).toMatchObject([{ kind: 'base' }]);
    // Left out, so inherited (parse.ts absentSection).
    expect(doc.sections['on-error']).toMatchObject([{ kind: 'base' }]);
  });

  it('reads the all-<base /> document at every scope', () => {
    for (const scope of ['global', 'product', 'api', 'operation'] as const) {
      const doc = parsed(EMPTY_SCOPE_POLICY_XML, scope);
      for (const section of ['inbound', 'backend', 'outbound', 'on-error'] as const) expect(doc.sections[section]).toMatchObject([{ kind: 'base' }]);
    }
  });
});

describe('the document', () => {
  it('reads a left-out section as <base /> (at global: as Azure\'s default), and ignores comments, white space and an XML declaration', () => {
    const doc = parsed('<?xml version="1.0" encoding="utf-8"?>\n<!-- a comment -->\n<policies>\n  <!-- inside -->\n  <outbound><base /><!-- x --></outbound>\n  <on-error />\n</policies>\n');
    const inherited = [{ kind: 'base', at: { line: 3, column: 1 } }];
    expect(doc).toEqual({ scope: 'api', sections: { inbound: inherited, backend: inherited, outbound: [{ kind: 'base', at: { line: 5, column: 13 }, source: '<base />' }], 'on-error': [] } });
    const global = parsePolicy('<policies><inbound /></policies>', 'global', () => undefined);
    expect(global.ok && global.document.sections).toEqual({ inbound: [], backend: [{ kind: 'forward-request', at: { line: 1, column: 1 }, timeoutSeconds: 300 }], outbound: [], 'on-error': [] });
  });

  it('refuses a document that is not well-formed, at the line and column the parser stopped', () => {
    expect(problems('<policies>\n  <inbound>\n  </outbound>\n</policies>')).toEqual([
      { element: 'policies', line: 3, column: 13, message: expect.stringContaining('not well-formed XML: unexpected close tag') },
    ]);
    expect(problems('')).toMatchObject([{ element: 'policies', line: 1, message: expect.stringContaining('root element') }]);
    expect(problems('<policies><inbound a="1" a="2"/></policies>')[0]?.message).toContain('duplicate attribute');
  });

  it('refuses a DTD, so that no entity can expand', () => {
    expect(problems('<!DOCTYPE policies [<!ENTITY x "y">]>\n<policies/>')[0]?.message).toContain('DTD');
  });

  it('refuses another root, unknown or repeated sections, text and attributes where none belong', () => {
    expect(problems('<fragment/>')).toEqual([{ element: 'fragment', line: 1, column: 1, message: 'The root element must be <policies>, not <fragment>.' }]);
    const list = problems('<policies version="2">\n  <inbound/>\n  <inbound/>\n  <middle/>\n  <outbound a="b">text</outbound>\n</policies>');
    expectProblem(list, 'policies', "The attribute 'version' is not allowed on <policies>.", 1, 1);
    expectProblem(list, 'inbound', '<policies> may have only one <inbound>.', 3, 3);
    expectProblem(list, 'middle', 'The element <middle> is not allowed in <policies>; allowed: inbound, backend, outbound, on-error.', 4, 3);
    expectProblem(list, 'outbound', "The attribute 'a' is not allowed on <outbound>.", 5, 3);
    expectProblem(list, 'outbound', 'Text is not allowed in <outbound>.', 5, 3);
  });

  it('reports every problem, not only the first, up to a cap', () => {
    const list = refused('<rate-limit calls="x" renewal-period="900" bogus="1" />\n    <choose />\n    <base />\n    <base />', 'api');
    expect(list.map((p) => [p.element, p.line, p.message])).toEqual([
      ['rate-limit', 3, "The attribute 'calls' must be a whole number, not 'x'."],
      ['rate-limit', 3, "The attribute 'renewal-period' must be at most 300; it is 900."],
      ['rate-limit', 3, "The attribute 'bogus' is not allowed on <rate-limit>."],
      ['choose', 4, expect.stringContaining('The policy <choose> is not enforced by Tollgate')],
      ['base', 6, 'A section may have only one <base />.'],
    ]);
    const many = problems(inSection('<wait />'.repeat(MAX_PROBLEMS + 20)));
    expect(many).toHaveLength(MAX_PROBLEMS);
  });

  it('columns count from the start of the line, in UTF-16 code units, after CR LF line ends too', () => {
    const list = problems('<policies>\r\n  <inbound>\r\n  <!-- 😀 --> <jsonp />\r\n  </inbound>\r\n</policies>');
    expect(list).toMatchObject([{ element: 'jsonp', line: 3, column: 15 }]);
  });
});

describe('named values', () => {
  it('finds the display names a document references, once each, not those in comments', () => {
    expect(namedValueReferences('<a x="{{One}}">{{two}}{{one}}<!-- {{three}} --></a>{{bad name}}{{ four }}')).toEqual(['One', 'two']);
  });

  it("follows Azure's display-name rule", () => {
    expect(isNamedValueName('a.b-c_D9')).toBe(true);
    expect(isNamedValueName('x'.repeat(256))).toBe(true);
    expect(isNamedValueName('x'.repeat(257))).toBe(false);
    expect(isNamedValueName('')).toBe(false);
    expect(isNamedValueName('a b')).toBe(false);
    expect(isNamedValueName('é')).toBe(false);
  });

  it('substitutes values (ignoring case) in attributes and text before reading them, expressions included', () => {
    const xml = inSection(
      '<rate-limit-by-key calls="{{CALL-COUNT}}" renewal-period="60" counter-key="{{client-header}}" />\n    <set-header name="X-Secret"><value>v={{secret-value}}</value></set-header>',
    );
    const doc = parsed(xml);
    expect(doc.sections.inbound).toMatchObject([
      { kind: 'rate-limit-by-key', calls: 7, counterKey: { parts: [{ kind: 'header', name: 'x-client', fallback: 'anon' }] } },
      { kind: 'set-header', values: [{ parts: [{ kind: 'text', value: 'v=s3cr3t' }] }] },
    ]);
    // The text as written keeps the reference, never the value.
    expect(doc.sections.inbound[1]?.source).toContain('{{secret-value}}');
    expect(JSON.stringify(doc.sections.inbound.map((e) => e.source))).not.toContain('s3cr3t');
  });

  it('refuses a reference to a named value that does not exist, naming it', () => {
    expectProblem(refused('<set-header name="a"><value>{{nope}}</value></set-header>'), 'value', "The named value 'nope' ({{nope}}) does not exist.", 3, 26);
  });
});

describe('limits', () => {
  it('reads rate-limit with its headers and its API and operation limits', () => {
    const xml =
      '<rate-limit calls="20" renewal-period="90" retry-after-header-name="X-Retry" remaining-calls-header-name="X-Left" total-calls-header-name="X-Total">' +
      '<api name="Echo API" calls="10" renewal-period="60"><operation id="get" calls="2" renewal-period="30" /></api><api id="other" calls="5" renewal-period="10" /></rate-limit>';
    expect(only(xml, 'product')).toEqual({
      kind: 'rate-limit',
      at: AT,
      calls: 20,
      renewalPeriodSeconds: 90,
      retryAfterHeaderName: 'X-Retry',
      remainingCallsHeaderName: 'X-Left',
      totalCallsHeaderName: 'X-Total',
      apis: [
        { name: 'Echo API', id: undefined, calls: 10, renewalPeriodSeconds: 60, operations: [{ name: undefined, id: 'get', calls: 2, renewalPeriodSeconds: 30 }] },
        { name: undefined, id: 'other', calls: 5, renewalPeriodSeconds: 10, operations: [] },
      ],
    });
    expect(only('<rate-limit calls="1" renewal-period="1" />', 'operation')).toMatchObject({ retryAfterHeaderName: 'Retry-After', remainingCallsHeaderName: undefined });
  });

  it('reads rate-limit-by-key with its key, condition and count', () => {
    const xml =
      '<rate-limit-by-key calls="100" renewal-period="60" counter-key="@(context.Subscription.Id)" increment-condition="@(context.Response.StatusCode &lt; 400)" increment-count="2" />';
    expect(only(xml, 'global')).toEqual({
      kind: 'rate-limit-by-key',
      at: AT,
      calls: 100,
      renewalPeriodSeconds: 60,
      counterKey: { parts: [{ kind: 'context', value: 'subscription.id' }] },
      incrementCondition: { kind: 'status', op: '<', value: 400 },
      incrementCount: 2,
      retryAfterHeaderName: 'Retry-After',
      remainingCallsHeaderName: undefined,
      totalCallsHeaderName: undefined,
    });
  });

  it('reads quota with calls, bandwidth and nested limits sharing its period unless they have their own', () => {
    expect(only('<quota calls="100" bandwidth="2048" renewal-period="0"><api name="a" bandwidth="10"><operation name="o" calls="1" renewal-period="3600" /></api></quota>', 'product')).toEqual({
      kind: 'quota',
      at: AT,
      calls: 100,
      bandwidthKb: 2048,
      renewalPeriodSeconds: 0,
      apis: [{ name: 'a', id: undefined, calls: undefined, bandwidthKb: 10, renewalPeriodSeconds: 0, operations: [{ name: 'o', id: undefined, calls: 1, bandwidthKb: undefined, renewalPeriodSeconds: 3600 }] }],
    });
  });

  it('reads quota-by-key with its first period start', () => {
    expect(only('<quota-by-key calls="10" renewal-period="300" counter-key="@(context.Request.IpAddress)" first-period-start="2024-03-01T00:00:00Z" />', 'operation')).toEqual({
      kind: 'quota-by-key',
      at: AT,
      calls: 10,
      bandwidthKb: undefined,
      renewalPeriodSeconds: 300,
      counterKey: { parts: [{ kind: 'context', value: 'request.ip' }] },
      incrementCondition: undefined,
      firstPeriodStart: Date.parse('2024-03-01T00:00:00Z'),
    });
    expect(only('<quota-by-key bandwidth="1" renewal-period="0" counter-key="k" />')).toMatchObject({ firstPeriodStart: FIRST_PERIOD_START_DEFAULT });
    expect(new Date(FIRST_PERIOD_START_DEFAULT).toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });

  it.each<[string, PolicyScope, string, string]>([
    ['<rate-limit calls="5" renewal-period="301" />', 'product', 'rate-limit', "The attribute 'renewal-period' must be at most 300; it is 301."],
    ['<rate-limit calls="5" renewal-period="0" />', 'product', 'rate-limit', "The attribute 'renewal-period' must be at least 1; it is 0."],
    ['<rate-limit calls="5" />', 'product', 'rate-limit', "The attribute 'renewal-period' is required."],
    ['<rate-limit calls="5" renewal-period="60" />', 'global', 'rate-limit', 'Policy is not allowed in the specified scope: <rate-limit> cannot be used at global scope, only at: product, api, operation.'],
    ['<rate-limit calls="@(5)" renewal-period="60" />', 'api', 'rate-limit', "Policy expressions are not supported in the attribute 'calls'"],
    ['<rate-limit calls="5" renewal-period="60" retry-after-variable-name="v" />', 'api', 'rate-limit', "The attribute 'retry-after-variable-name' of <rate-limit> is not supported by Tollgate."],
    ['<rate-limit calls="5" renewal-period="60" retry-after-header-name="bad header" />', 'api', 'rate-limit', "The attribute 'retry-after-header-name' must be a header name"],
    ['<quota calls="100" renewal-period="604800" />', 'api', 'quota', '<quota> cannot be used at api scope, only at: product.'],
    ['<quota renewal-period="60" />', 'product', 'quota', "<quota> needs 'calls', 'bandwidth' or both."],
    ['<quota-by-key calls="1" renewal-period="299" counter-key="k" />', 'api', 'quota-by-key', "The attribute 'renewal-period' must be 0 (never renews) or at least 300 seconds; it is 299."],
    ['<quota-by-key calls="1" renewal-period="300" counter-key="k" increment-count="2" />', 'api', 'quota-by-key', "The attribute 'increment-count' of <quota-by-key> is not supported by Tollgate."],
    ['<quota-by-key calls="1" renewal-period="300" counter-key="k" first-period-start="yesterday" />', 'api', 'quota-by-key', "The attribute 'first-period-start' must be a date and time"],
    ['<rate-limit-by-key calls="1" renewal-period="60" />', 'api', 'rate-limit-by-key', "The attribute 'counter-key' is required."],
    ['<rate-limit-by-key calls="1" renewal-period="60" counter-key=" " />', 'api', 'rate-limit-by-key', "The attribute 'counter-key' must not be empty."],
    ['<rate-limit-by-key calls="1" renewal-period="60" counter-key="@(context.Variables[&quot;k&quot;])" />', 'api', 'rate-limit-by-key', "In the attribute 'counter-key': 'context.Variables' is not supported; supported: "],
    ['<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" increment-condition="@(context.Request.Method == &quot;GET&quot;)" />', 'api', 'rate-limit-by-key', "In the attribute 'increment-condition': 'context.Request.Method' is not supported in a condition"],
  ])('refuses %s at %s scope', (xml, scope, element, message) => {
    expectProblem(refused(xml, scope), element, message);
  });

  it('refuses nested limits without a name or id, at the nested element', () => {
    expectProblem(refused('<rate-limit calls="5" renewal-period="60"><api calls="1" renewal-period="1" /></rate-limit>', 'product'), 'api', "<api> needs 'name' or 'id'.", 3, 47);
    expectProblem(refused('<rate-limit calls="5" renewal-period="60"><operation id="x" /></rate-limit>', 'product'), 'operation', 'The element <operation> is not allowed in <rate-limit>; allowed: api.', 3, 47);
  });

  it('refuses limits outside the inbound section', () => {
    expectProblem(refused('<rate-limit-by-key calls="1" renewal-period="60" counter-key="k" />', 'api', 'outbound'), 'rate-limit-by-key', '<rate-limit-by-key> is not allowed in the outbound section; it may be used in: inbound.');
  });
});

describe('access', () => {
  it('reads ip-filter, addresses normalised', () => {
    const xml = '<ip-filter action="forbid"><address>10.0.0.1</address><address> ::1 </address><address-range from="10.1.0.0" to="10.1.255.255" /><address-range from="2001:db8::" to="2001:db8::ffff" /></ip-filter>';
    expect(only(xml, 'global')).toEqual({
      kind: 'ip-filter',
      at: AT,
      action: 'forbid',
      addresses: ['10.0.0.1', '0000:0000:0000:0000:0000:0000:0000:0001'],
      ranges: [
        { from: '10.1.0.0', to: '10.1.255.255' },
        { from: '2001:0db8:0000:0000:0000:0000:0000:0000', to: '2001:0db8:0000:0000:0000:0000:0000:ffff' },
      ],
    });
    expect(only('<ip-filter action="allow"><address>::ffff:192.0.2.1</address></ip-filter>')).toMatchObject({ addresses: ['0000:0000:0000:0000:0000:ffff:c000:0201'] });
  });

  it('refuses what ip-filter cannot compare', () => {
    const list = refused('<ip-filter action="block"><address>10.0.0.300</address><address-range from="10.0.0.9" to="10.0.0.1" /><address-range from="10.0.0.1" to="::1" /><address-range to="10.0.0.1" /></ip-filter>');
    expectProblem(list, 'ip-filter', "The attribute 'action' must be one of allow, forbid, not 'block'.");
    expectProblem(list, 'address', "The address '10.0.0.300' is not an IPv4 or IPv6 address.", 3, 31);
    expectProblem(list, 'address-range', "A range's 'from' must not be above its 'to'.", 3, 60);
    expectProblem(list, 'address-range', "A range's 'from' and 'to' must both be IPv4 or both IPv6.", 3, 107);
    expectProblem(list, 'address-range', "The attribute 'from' is required.", 3, 149);
    expectProblem(refused('<ip-filter action="allow" />'), 'ip-filter', '<ip-filter> needs at least one <address> or <address-range>.');
    expectProblem(refused('<ip-filter action="allow" header-name="X-Forwarded-For"><address>1.2.3.4</address></ip-filter>'), 'ip-filter', "The attribute 'header-name' of <ip-filter> is not supported by Tollgate.");
  });

  it('reads check-header, the name lower-cased', () => {
    const xml = '<check-header name="X-Tenant" failed-check-httpcode="401" failed-check-error-message="Not allowed" ignore-case="true"><value>A</value><value> b </value></check-header>';
    expect(only(xml)).toEqual({ kind: 'check-header', at: AT, name: 'x-tenant', failedCheckHttpCode: 401, failedCheckErrorMessage: 'Not allowed', ignoreCase: true, values: ['A', 'b'] });
  });

  it('refuses a check-header without what Azure requires', () => {
    const list = refused('<check-header name="X-Tenant"><value>@(context.Api.Id)</value></check-header>');
    expectProblem(list, 'check-header', "The attribute 'failed-check-httpcode' is required.");
    expectProblem(list, 'check-header', "The attribute 'failed-check-error-message' is required.");
    expectProblem(list, 'check-header', "The attribute 'ignore-case' is required.");
    expectProblem(list, 'value', 'Policy expressions are not supported in a <value> of <check-header>', 3, 35);
    expectProblem(refused('<check-header name="a" failed-check-httpcode="99" failed-check-error-message="m" ignore-case="maybe" />'), 'check-header', "The attribute 'ignore-case' must be true or false, not 'maybe'.");
  });
});

describe('headers and query parameters', () => {
  it('reads set-header with every exists-action and values literal or computed', () => {
    expect(only('<set-header name="X-Key" exists-action="append"><value>one</value><value>@("k-" + context.Subscription.Key)</value></set-header>', 'operation', 'outbound')).toEqual({
      kind: 'set-header',
      at: AT,
      name: 'X-Key',
      existsAction: 'append',
      values: [{ parts: [{ kind: 'text', value: 'one' }] }, { parts: [{ kind: 'text', value: 'k-' }, { kind: 'context', value: 'subscription.key' }] }],
    });
    for (const action of ['override', 'skip', 'delete'] as const) expect(only(`<set-header name="a" exists-action="${action}" />`)).toMatchObject({ existsAction: action, values: [] });
    expect(only('<set-header name="a"><value>x</value></set-header>', 'global', 'backend')).toMatchObject({ existsAction: 'override' });
    expect(only('<set-header name="a"><value>x</value></set-header>', 'global', 'on-error')).toMatchObject({ kind: 'set-header' });
  });

  it('reads set-query-parameter in inbound and backend', () => {
    expect(only('<set-query-parameter name="api-version" exists-action="skip"><value>2024-05-01</value></set-query-parameter>')).toEqual({
      kind: 'set-query-parameter',
      at: AT,
      name: 'api-version',
      existsAction: 'skip',
      values: [{ parts: [{ kind: 'text', value: '2024-05-01' }] }],
    });
    expect(only('<set-query-parameter name="a" exists-action="delete" />', 'api', 'backend')).toMatchObject({ existsAction: 'delete' });
  });

  it('refuses what cannot be set', () => {
    expectProblem(refused('<set-header name="Content-Length"><value>1</value></set-header>'), 'set-header', "The header 'Content-Length' cannot be set by a policy.");
    expectProblem(refused('<set-header name="bad name" />'), 'set-header', "'bad name' is not a valid header name.");
    expectProblem(refused('<set-header exists-action="replace" />'), 'set-header', "The attribute 'name' is required.");
    expectProblem(refused('<set-header name="a" exists-action="replace" />'), 'set-header', "The attribute 'exists-action' must be one of override, skip, append, delete, not 'replace'.");
    expectProblem(refused('<set-header name="a"><val>1</val></set-header>'), 'val', 'The element <val> is not allowed in <set-header>; allowed: value.', 3, 26);
    expectProblem(refused('<set-header name="a"><value>@{ return "x"; }</value></set-header>'), 'value', "In the text of <value>: multi-statement expressions '@{…}' are not supported", 3, 26);
    expectProblem(refused('<set-query-parameter name="a" />', 'api', 'outbound'), 'set-query-parameter', 'is not allowed in the outbound section; it may be used in: inbound, backend.');
  });
});

describe('routing', () => {
  it('reads rewrite-uri, set-backend-service and forward-request', () => {
    expect(only('<rewrite-uri template="/v2/{id}?x=1" copy-unmatched-params="false" />')).toEqual({ kind: 'rewrite-uri', at: AT, template: '/v2/{id}?x=1', copyUnmatchedParams: false });
    expect(only('<rewrite-uri template="/v2" />')).toMatchObject({ copyUnmatchedParams: true });
    expect(only('<set-backend-service base-url="{{backend-url}}" />', 'api', 'backend')).toEqual({ kind: 'set-backend-service', at: AT, baseUrl: 'https://backend.example/v1' });
    expect(only('<forward-request timeout="20" />', 'operation', 'backend')).toEqual({ kind: 'forward-request', at: AT, timeoutSeconds: 20 });
    expect(only('<forward-request />', 'global', 'backend')).toMatchObject({ timeoutSeconds: 300 });
  });

  it('refuses what routing cannot follow', () => {
    expectProblem(refused('<rewrite-uri template="/v2/{id" />'), 'rewrite-uri', "The template '/v2/{id' has unbalanced braces.");
    expectProblem(refused('<rewrite-uri template="/v2/{a b}" />'), 'rewrite-uri', "The template parameter '{a b}' is not a name in braces.");
    expectProblem(refused('<set-backend-service backend-id="pool" />'), 'set-backend-service', "The attribute 'base-url' is required.");
    expectProblem(refused('<set-backend-service backend-id="pool" />'), 'set-backend-service', "The attribute 'backend-id' of <set-backend-service> is not supported by Tollgate.");
    expectProblem(refused('<set-backend-service base-url="ftp://x" />'), 'set-backend-service', "The attribute 'base-url' must be an absolute http or https URL, not 'ftp://x'.");
    expectProblem(refused('<set-backend-service base-url="https://x" />', 'api', 'outbound'), 'set-backend-service', 'it may be used in: inbound, backend.');
    expectProblem(refused('<forward-request />'), 'forward-request', '<forward-request> is not allowed in the inbound section; it may be used in: backend.');
    expectProblem(refused('<forward-request follow-redirects="true" />', 'api', 'backend'), 'forward-request', "The attribute 'follow-redirects' of <forward-request> is not supported by Tollgate.");
    expectProblem(refused('<forward-request timeout="0" />', 'api', 'backend'), 'forward-request', "The attribute 'timeout' must be at least 1; it is 0.");
  });
});

describe('responses', () => {
  it('reads return-response with status, headers and body', () => {
    const xml = '<return-response><set-status code="401" reason="Unauthorized" /><set-header name="WWW-Authenticate" exists-action="override"><value>Bearer</value></set-header><set-body>{"error": "@(x)"}</set-body></return-response>';
    expect(only(xml)).toEqual({
      kind: 'return-response',
      at: AT,
      status: { code: 401, reason: 'Unauthorized' },
      headers: [{ kind: 'set-header', at: { line: 3, column: 69 }, name: 'WWW-Authenticate', existsAction: 'override', values: [{ parts: [{ kind: 'text', value: 'Bearer' }] }] }],
      body: { parts: [{ kind: 'text', value: '{"error": "@(x)"}' }] },
    });
    expect(only('<return-response />', 'api', 'on-error')).toEqual({ kind: 'return-response', at: AT, status: undefined, headers: [], body: undefined });
    expect(only('<return-response><set-body>@("id=" + context.Operation.Id)</set-body></return-response>', 'api', 'outbound')).toMatchObject({
      body: { parts: [{ kind: 'text', value: 'id=' }, { kind: 'context', value: 'operation.id' }] },
    });
  });

  it('reads mock-response', () => {
    expect(only('<mock-response status-code="201" content-type="application/xml" />')).toEqual({ kind: 'mock-response', at: AT, statusCode: 201, contentType: 'application/xml' });
    expect(only('<mock-response />', 'api', 'outbound')).toEqual({ kind: 'mock-response', at: AT, statusCode: 200, contentType: 'application/json' });
  });

  it('refuses what a response cannot carry', () => {
    expectProblem(refused('<return-response response-variable-name="r" />'), 'return-response', "The attribute 'response-variable-name' of <return-response> is not supported by Tollgate.");
    expectProblem(refused('<return-response><set-status code="99" /></return-response>'), 'set-status', "The attribute 'code' must be at least 100; it is 99.", 3, 22);
    expectProblem(refused('<return-response><set-body /><set-body /></return-response>'), 'set-body', '<return-response> may have only one <set-body>.', 3, 34);
    expectProblem(refused('<return-response><set-body template="liquid">x</set-body></return-response>'), 'set-body', "The attribute 'template' of <set-body> is not supported by Tollgate.", 3, 22);
    expectProblem(refused('<mock-response />', 'api', 'backend'), 'mock-response', 'it may be used in: inbound, outbound, on-error.');
  });
});

describe('cors', () => {
  it('reads cors, origins as browsers send them, methods upper-case, headers lower-case', () => {
    const xml =
      '<cors allow-credentials="true" terminate-unmatched-request="false"><allowed-origins><origin>https://App.Example.com/</origin><origin>http://localhost:8080</origin></allowed-origins>' +
      '<allowed-methods preflight-result-max-age="300"><method>get</method><method>PUT</method></allowed-methods><allowed-headers><header>Content-Type</header></allowed-headers><expose-headers><header>X-Total</header></expose-headers></cors>';
    expect(only(xml, 'global')).toEqual({
      kind: 'cors',
      at: AT,
      allowCredentials: true,
      terminateUnmatchedRequest: false,
      allowedOrigins: ['https://app.example.com', 'http://localhost:8080'],
      allowedMethods: ['GET', 'PUT'],
      preflightResultMaxAge: 300,
      allowedHeaders: ['content-type'],
      exposeHeaders: ['x-total'],
    });
    expect(only('<cors><allowed-origins><origin>*</origin></allowed-origins></cors>')).toEqual({
      kind: 'cors',
      at: AT,
      allowCredentials: false,
      terminateUnmatchedRequest: true,
      allowedOrigins: ['*'],
      allowedMethods: ['GET', 'POST'],
      preflightResultMaxAge: undefined,
      allowedHeaders: [],
      exposeHeaders: [],
    });
  });

  it('refuses what a browser would not honour', () => {
    expectProblem(refused('<cors allow-credentials="true"><allowed-origins><origin>*</origin></allowed-origins></cors>'), 'cors', "allow-credentials=\"true\" cannot be used with the origin '*'");
    expectProblem(refused('<cors />'), 'cors', '<cors> needs a <allowed-origins> element.');
    expectProblem(refused('<cors><allowed-origins><origin>https://x.example/path</origin></allowed-origins></cors>'), 'origin', "The origin 'https://x.example/path' must be '*' or a scheme, host and optional port", 3, 28);
    expectProblem(refused('<cors><allowed-origins /></cors>'), 'allowed-origins', '<allowed-origins> needs at least one <origin>.', 3, 11);
    expectProblem(refused('<cors><allowed-origins><origin>*</origin></allowed-origins></cors>', 'api', 'outbound'), 'cors', 'it may be used in: inbound.');
  });
});

describe('validate-jwt', () => {
  it('reads validate-jwt with keys, OpenID configuration, audiences, issuers and claims', () => {
    const xml =
      '<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="403" failed-validation-error-message="No" require-expiration-time="false" clock-skew="30">' +
      '<openid-config url="https://login.example/.well-known/openid-configuration" />' +
      '<issuer-signing-keys><key>c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0</key><key id="k1" n="0vx7agoebGcQSuu" e="AQAB" /><key>-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----</key></issuer-signing-keys>' +
      '<audiences><audience>api://tollgate</audience></audiences><issuers><issuer>https://login.example/</issuer></issuers>' +
      '<required-claims><claim name="roles" match="any" separator=","><value>admin</value><value>reader</value></claim><claim name="tid"><value>t1</value></claim></required-claims></validate-jwt>';
    expect(only(xml)).toEqual({
      kind: 'validate-jwt',
      at: AT,
      headerName: 'Authorization',
      queryParameterName: undefined,
      tokenValue: undefined,
      failedValidationHttpCode: 403,
      failedValidationErrorMessage: 'No',
      requireExpirationTime: false,
      requireScheme: 'Bearer',
      requireSignedTokens: true,
      clockSkewSeconds: 30,
      openIdConfigUrls: ['https://login.example/.well-known/openid-configuration'],
      signingKeys: [
        { kind: 'symmetric', base64: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' },
        { kind: 'rsa', n: '0vx7agoebGcQSuu', e: 'AQAB', id: 'k1' },
        { kind: 'certificate', pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', id: undefined },
      ],
      audiences: ['api://tollgate'],
      issuers: ['https://login.example/'],
      requiredClaims: [
        { name: 'roles', match: 'any', separator: ',', values: ['admin', 'reader'] },
        { name: 'tid', match: 'all', separator: undefined, values: ['t1'] },
      ],
    });
    expect(only('<validate-jwt token-value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Token&quot;))" />')).toMatchObject({
      tokenValue: { parts: [{ kind: 'header', name: 'x-token', fallback: '' }] },
      failedValidationHttpCode: 401,
      failedValidationErrorMessage: 'Unauthorized. Access token is missing or invalid.',
      requireExpirationTime: true,
      clockSkewSeconds: 0,
    });
    expect(only('<validate-jwt query-parameter-name="token" />')).toMatchObject({ queryParameterName: 'token', headerName: undefined });
  });

  it('refuses what validate-jwt cannot check', () => {
    expectProblem(refused('<validate-jwt header-name="a" query-parameter-name="b" />'), 'validate-jwt', "<validate-jwt> needs exactly one of 'header-name', 'query-parameter-name' and 'token-value'.");
    expectProblem(refused('<validate-jwt />'), 'validate-jwt', 'needs exactly one of');
    expectProblem(refused('<validate-jwt header-name="a"><issuer-signing-keys><key>not base64!</key></issuer-signing-keys></validate-jwt>'), 'key', 'A <key> is a base64 symmetric key, a PEM certificate, or has the attributes n and e', 3, 56);
    expectProblem(refused('<validate-jwt header-name="a"><issuer-signing-keys><key certificate-id="c" /></issuer-signing-keys></validate-jwt>'), 'key', "The attribute 'certificate-id' of <key> is not supported by Tollgate.", 3, 56);
    expectProblem(refused('<validate-jwt header-name="a"><issuer-signing-keys><key n="abc" /></issuer-signing-keys></validate-jwt>'), 'key', "The attribute 'e' is required.", 3, 56);
    expectProblem(refused('<validate-jwt header-name="a"><decryption-keys><key>x</key></decryption-keys></validate-jwt>'), 'decryption-keys', '<decryption-keys> (encrypted tokens) is not supported by Tollgate.', 3, 35);
    expectProblem(refused('<validate-jwt header-name="a" output-token-variable-name="jwt" />'), 'validate-jwt', "The attribute 'output-token-variable-name' of <validate-jwt> is not supported by Tollgate.");
    expectProblem(refused('<validate-jwt header-name="a"><openid-config url="not a url" /></validate-jwt>'), 'openid-config', "The attribute 'url' must be an absolute http or https URL", 3, 35);
    expectProblem(refused('<validate-jwt header-name="a"><required-claims><claim name="x" match="some" /></required-claims></validate-jwt>'), 'claim', "The attribute 'match' must be one of all, any, not 'some'.", 3, 52);
  });
});

describe('base and unknown elements', () => {
  it('reads <base /> in every section at every scope, once per section', () => {
    for (const scope of ['global', 'product', 'api', 'operation'] as const)
      for (const section of ['inbound', 'backend', 'outbound', 'on-error'] as const) expect(only('<base />', scope, section)).toEqual({ kind: 'base', at: AT });
    expectProblem(refused('<base />\n    <base />'), 'base', 'A section may have only one <base />.', 4, 5);
    expectProblem(refused('<base x="1" />'), 'base', "The attribute 'x' is not allowed on <base>.");
  });

  it("tells Azure's policies that Tollgate does not enforce from elements that are no policy at all", () => {
    for (const name of ['choose', 'set-variable', 'send-request', 'log-to-eventhub', 'cache-lookup', 'set-body', 'set-status'])
      expect(refused(`<${name} a="1"><when /></${name}>`)).toEqual([
        { element: name, ...AT, message: expect.stringMatching(new RegExp(`^The policy <${name}> is not enforced by Tollgate's gateway, so it cannot be stored; supported: base, rate-limit, `)) },
      ]);
    expect(refused('<made-up />')).toEqual([{ element: 'made-up', ...AT, message: expect.stringMatching(/^<made-up> is not a policy element; supported: base, /) }]);
  });
});

describe("Azure's example documents", () => {
  // The repository's copy (always there, so CI never skips this), else the shared reference.
  const candidates = [
    join(__dirname, '..', 'fixtures', 'azure-apim-rest', '2024-05-01', 'examples'),
    join(__dirname, '..', '..', '..', 'shared', 'reference', 'azure-apim-rest', '2024-05-01', 'examples'),
  ];
  const listed = (d: string) => {
    try {
      return readdirSync(d).filter((f) => /Polic(y|ies)/.test(f) && !f.includes('PolicyDescriptions'));
    } catch {
      return [];
    }
  };
  const dir = candidates.find((d) => listed(d).length > 0) ?? candidates[0]!;
  const examples = listed(dir);

  const policyValues = (file: string): string[] => {
    const values = new Set<string>();
    const walk = (o: unknown): void => {
      if (o === null || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        if (k === 'value' && typeof v === 'string' && v.includes('<policies')) values.add(v);
        else walk(v);
      }
    };
    walk(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    return [...values];
  };

  const scopeOf = (file: string): PolicyScope =>
    file.includes('ApiOperation') ? 'operation' : file.includes('Product') ? 'product' : file.includes('ApiPolic') ? 'api' : 'global';

  /** Why an example is refused: a policy or expression the gateway does not enforce. */
  const REFUSED: Record<string, string[]> = {
    'ApiManagementCreateProductPolicy.json': ['<log-to-eventhub> is not enforced', "'increment-count' of <quota-by-key> is not supported"],
    'ApiManagementGetApiOperationPolicy.json': ['<jsonp> is not enforced'],
    'ApiManagementGetApiPolicy.json': ['<log-to-eventhub> is not enforced', "'renewal-period' must be a whole number, not '\tP3Y6M4DT12H30M5S'"],
    'ApiManagementListApiPolicies.json': ['<log-to-eventhub> is not enforced', "'renewal-period' must be a whole number"],
    'ApiManagementGetPolicyFormat.json': ["multi-statement expressions '@{…}' are not supported"],
  };

  it.runIf(examples.length > 0)('every policy example either parses or is refused for a named reason', () => {
    const seen = new Set<string>();
    for (const file of examples) {
      for (const xml of policyValues(file)) {
        seen.add(file);
        const r = parsePolicy(xml, scopeOf(file), lookup);
        const reasons = REFUSED[file];
        if (reasons === undefined) {
          expect(r.ok ? 'parsed' : JSON.stringify(r.problems), file).toBe('parsed');
          continue;
        }
        expect(r.ok, file).toBe(false);
        const messages = r.ok ? '' : r.problems.map((p) => p.message).join('\n');
        for (const reason of reasons) expect(messages, file).toContain(reason);
      }
    }
    for (const file of Object.keys(REFUSED)) expect(seen.has(file), file).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(13);
  });
});

describe('robustness', () => {
  it('never throws, whatever the text', () => {
    const pieces = fc.constantFrom(
      '<policies>',
      '</policies>',
      '<inbound>',
      '</inbound>',
      '<backend>',
      '</backend>',
      '<base />',
      '<rate-limit calls="5" renewal-period="60" />',
      '<set-header name="a">',
      '</set-header>',
      '<value>',
      '</value>',
      '@(context.Api.Id)',
      '{{call-count}}',
      '{{nope}}',
      '<!-- c -->',
      '<![CDATA[x]]>',
      '&amp;',
      '&bad;',
      '"',
      '<',
      '>',
      ' ',
      '\r\n',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 40 }).map((a) => a.join(''))), fc.constantFrom<PolicyScope>('global', 'product', 'api', 'operation'), (xml, scope) => {
        const r = parsePolicy(xml, scope, lookup);
        if (!r.ok) for (const p of r.problems) expect(p.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses nesting deeper than any policy, without exhausting the stack', () => {
    const deep = `<policies><inbound>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</inbound></policies>`;
    expect(problems(deep)[0]?.message).toContain('nested more than 64 deep');
  });
});
