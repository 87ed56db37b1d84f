/**
 * Composition as Azure runs it: global -> product -> API -> operation per section, `<base />`
 * standing for the enclosing scope's section where it is written, nothing inherited without it,
 * missing documents as all-`<base />` (the global one as Azure's default); and the read-only view.
 */
import { describe, expect, it } from 'vitest';
import { composePolicy, defaultGlobalPolicy } from '../../src/domain/policy/compose.js';
import { STARTER_POLICY_XML } from '../../src/domain/policy/defaults.js';
import { parsePolicy } from '../../src/domain/policy/parse.js';
import { renderEffectivePolicy } from '../../src/domain/policy/render.js';
import type { EffectivePolicy, PolicyDocument, PolicyScope, SectionName } from '../../src/domain/policy/types.js';

function doc(scope: PolicyScope, sections: Partial<Record<SectionName, string>>): PolicyDocument {
  const xml = `<policies>${Object.entries(sections)
    .map(([name, inner]) => `<${name}>${inner}</${name}>`)
    .join('')}</policies>`;
  const r = parsePolicy(xml, scope, () => undefined);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.document;
}

/** Each element of a section as `origin:name-of-header` (every test element is a set-header). */
function trail(p: EffectivePolicy, section: SectionName = 'inbound'): string[] {
  return p.sections[section].map((e) => `${e.origin.scope}:${e.kind === 'set-header' ? e.name : e.kind}`);
}

const header = (name: string) => `<set-header name="${name}"><value>1</value></set-header>`;
const IDS = { productId: 'starter', apiId: 'echo', operationId: 'get' };

describe('composePolicy', () => {
  it('runs the enclosing section where <base /> stands: before, after or between', () => {
    const p = composePolicy(
      {
        global: doc('global', { inbound: header('g') }),
        product: doc('product', { inbound: `<base />${header('p')}` }),
        api: doc('api', { inbound: `${header('a1')}<base />${header('a2')}` }),
        operation: doc('operation', { inbound: `${header('o')}<base />` }),
      },
      IDS,
    );
    expect(trail(p)).toEqual(['operation:o', 'api:a1', 'global:g', 'product:p', 'api:a2']);
  });

  it('inherits nothing into a section without <base />, each section on its own', () => {
    const p = composePolicy(
      {
        global: doc('global', { inbound: header('g'), outbound: header('g-out'), backend: '<forward-request />' }),
        product: doc('product', { inbound: header('p'), outbound: `<base />${header('p-out')}`, backend: '<base />' }),
      },
      IDS,
    );
    expect(trail(p)).toEqual(['product:p']);
    expect(trail(p, 'outbound')).toEqual(['global:g-out', 'product:p-out']);
    expect(trail(p, 'backend')).toEqual(['global:forward-request']);
  });

  it('lets an operation override its API: without <base /> the API section is gone', () => {
    const api = doc('api', { inbound: `<base /><rate-limit calls="10" renewal-period="60" />`, backend: '<base />' });
    const operation = doc('operation', { inbound: `<rate-limit calls="1" renewal-period="60" />`, backend: '<forward-request timeout="5" />' });
    const p = composePolicy({ product: doc('product', { inbound: header('p') }), api, operation }, IDS);
    expect(p.sections.inbound).toMatchObject([{ kind: 'rate-limit', calls: 1, origin: { scope: 'operation', id: 'echo/get' } }]);
    expect(p.sections.backend).toMatchObject([{ kind: 'forward-request', timeoutSeconds: 5, origin: { scope: 'operation', id: 'echo/get' } }]);
  });

  it("treats missing documents as all-<base />, and a missing global policy as Azure's default", () => {
    const p = composePolicy({}, IDS);
    expect(p.sections.inbound).toEqual([]);
    expect(p.sections.outbound).toEqual([]);
    expect(p.sections['on-error']).toEqual([]);
    expect(p.sections.backend).toMatchObject([{ kind: 'forward-request', timeoutSeconds: 300, origin: { scope: 'global', id: '' } }]);
    expect(defaultGlobalPolicy()).toBe(defaultGlobalPolicy());

    const onlyApi = composePolicy({ api: doc('api', { inbound: `<base />${header('a')}` }) }, { apiId: 'echo', operationId: 'get' });
    expect(trail(onlyApi)).toEqual(['api:a']);
    // A section left out of a stored document inherits, as if it held <base />: the API still forwards.
    expect(onlyApi.sections.backend).toMatchObject([{ kind: 'forward-request', origin: { scope: 'global', id: '' } }]);
    // Written out empty, it has nothing: the way to stop forwarding.
    const emptyBackend = composePolicy({ api: doc('api', { inbound: '<base />', backend: '' }) }, { apiId: 'echo', operationId: 'get' });
    expect(emptyBackend.sections.backend).toEqual([]);
    // At global, a left-out backend is Azure's default one.
    const globalInboundOnly = composePolicy({ global: doc('global', { inbound: header('g') }) }, IDS);
    expect(globalInboundOnly.sections.backend).toMatchObject([{ kind: 'forward-request', timeoutSeconds: 300 }]);
  });

  it('names where each element came from: global, the product, the API, the operation', () => {
    const p = composePolicy(
      {
        global: doc('global', { inbound: header('g') }),
        product: doc('product', { inbound: `<base />${header('p')}` }),
        api: doc('api', { inbound: `<base />${header('a')}` }),
        operation: doc('operation', { inbound: `<base />${header('o')}` }),
      },
      IDS,
    );
    expect(p.sections.inbound.map((e) => e.origin)).toEqual([
      { scope: 'global', id: '' },
      { scope: 'product', id: 'starter' },
      { scope: 'api', id: 'echo' },
      { scope: 'operation', id: 'echo/get' },
    ]);
    expect(p.sections.inbound.some((e) => (e as { kind: string }).kind === 'base')).toBe(false);
  });

  it('keeps a product-less call (no product id) composing the other scopes', () => {
    const p = composePolicy({ product: doc('product', { inbound: header('p') }), api: doc('api', { inbound: '<base />' }) }, { apiId: 'echo', operationId: 'get' });
    expect(p.sections.inbound).toMatchObject([{ origin: { scope: 'product', id: '' } }]);
  });
});

describe('renderEffectivePolicy', () => {
  it('shows each element as written, re-indented, with a comment naming its scope', () => {
    const starter = parsePolicy(STARTER_POLICY_XML, 'product', () => undefined);
    if (!starter.ok) throw new Error('starter');
    const api = parsePolicy(
      '<policies>\n    <inbound>\n        <set-header name="X-Key" exists-action="override">\n            <value>{{secret}}</value>\n        </set-header>\n        <base />\n    </inbound>\n</policies>',
      'api',
      () => 'the-secret-value',
    );
    if (!api.ok) throw new Error('api');
    const p = composePolicy({ product: starter.document, api: api.document }, { productId: 'starter--x', apiId: 'echo', operationId: 'get' });
    expect(renderEffectivePolicy(p)).toBe(
      [
        '<policies>',
        '  <inbound>',
        "    <!-- from api 'echo' -->",
        '    <set-header name="X-Key" exists-action="override">',
        '        <value>{{secret}}</value>',
        '    </set-header>',
        "    <!-- from product 'starter- -x' -->",
        '    <rate-limit calls="5" renewal-period="60" />',
        "    <!-- from product 'starter- -x' -->",
        '    <quota calls="100" renewal-period="604800" />',
        '  </inbound>',
        '  <backend>',
        '    <!-- from global -->',
        '    <forward-request />',
        '  </backend>',
        '  <outbound />',
        '  <on-error />',
        '</policies>',
      ].join('\n'),
    );
  });

  it('renders a composed policy that is itself well-formed XML the parser reads back', () => {
    const p = composePolicy({ api: doc('api', { inbound: `<base />${header('a')}`, backend: '<base />' }) }, IDS);
    const xml = renderEffectivePolicy(p);
    expect(xml).toContain('<!-- from global -->\n    <forward-request />');
    const back = parsePolicy(xml, 'operation', () => undefined);
    expect(back.ok).toBe(true);
  });

  it('says so when an element was built without its text', () => {
    const p: EffectivePolicy = {
      sections: { inbound: [], backend: [{ kind: 'forward-request', at: { line: 1, column: 1 }, timeoutSeconds: 300, origin: { scope: 'global', id: '' } }], outbound: [], 'on-error': [] },
    };
    expect(renderEffectivePolicy(p)).toContain('<forward-request /><!-- the text of this element was not kept -->');
  });
});
