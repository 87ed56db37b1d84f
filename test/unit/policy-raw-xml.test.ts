import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rawXmlToXml, xmlToRawXml } from '../../src/domain/policy/raw-xml.js';

const EXAMPLES = new URL('../fixtures/azure-apim-rest/2024-05-01/examples/', import.meta.url);
const example = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, EXAMPLES), 'utf8'));

describe('rawxml <-> xml', () => {
  it('encodes what Azure encodes in its non-XML-encoded example', () => {
    const ex = example('ApiManagementCreateApiPolicyNonXmlEncoded');
    const xml = rawXmlToXml(ex.parameters.parameters.properties.value as string);
    expect(xml).toContain('<value>"@(context.Request.Headers.FirstOrDefault(h =&gt; h.Ke=="Via"))" </value>');
    expect(xmlToRawXml(xml)).toBe(ex.parameters.parameters.properties.value);
  });

  it('encodes the quote of an attribute and the markup characters, and leaves the rest as written', () => {
    const raw = '<policies><inbound><quota-by-key calls="1" counter-key="@(context.Request.Method == "POST" && 1 < 2 ? "a" : "b")" renewal-period="60" /></inbound></policies>';
    const xml = rawXmlToXml(raw);
    expect(xml).toBe(
      '<policies><inbound><quota-by-key calls="1" counter-key="@(context.Request.Method == &quot;POST&quot; &amp;&amp; 1 &lt; 2 ? &quot;a&quot; : &quot;b&quot;)" renewal-period="60" /></inbound></policies>',
    );
    expect(xmlToRawXml(xml)).toBe(raw);
  });

  it('decodes a multi-line @{ } block of text as Azure’s GET ?format=rawxml shows it', () => {
    const xml = '<value>@{\n  var t = 1;\n  if (t &gt;&gt; 2 &lt; 3 &amp;&amp; "}" != "{") { return "x"; }\n  return "y"; // a } in a comment\n}\n</value>';
    const raw = xmlToRawXml(xml);
    expect(raw).toBe('<value>@{\n  var t = 1;\n  if (t >> 2 < 3 && "}" != "{") { return "x"; }\n  return "y"; // a } in a comment\n}\n</value>');
    expect(rawXmlToXml(raw)).toBe(xml);
  });

  it('leaves comments, CDATA, entities outside expressions and unclosed expressions alone', () => {
    const xml = '<!-- @(a > b) --><a b="x &amp; y @(unclosed"><![CDATA[@(1 < 2)]]>@(c) &lt; @{d</a>';
    expect(xmlToRawXml(xml)).toBe(xml);
    expect(rawXmlToXml(xml)).toBe(xml);
  });

  it('handles verbatim strings, char literals and escapes inside an expression', () => {
    const raw = `<v>@(@"a""b)" + '\\'' + "c\\")" + ')')</v>`;
    expect(xmlToRawXml(rawXmlToXml(raw))).toBe(raw);
    expect(rawXmlToXml(raw)).toBe(raw);
  });
});
