/**
 * The XML well-formedness checker of template bodies (good and bad documents, positions of the
 * first problem, linear time) and the plain-text alternative of HTML bodies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HTML_ENTITIES } from '../../src/mail/render/entities.js';
import { decodeEntities, htmlToText } from '../../src/mail/render/text.js';
import { checkWellFormed, XhtmlError } from '../../src/mail/render/xhtml.js';

function problem(xml: string): XhtmlError {
  try {
    checkWellFormed(xml);
  } catch (err) {
    if (err instanceof XhtmlError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(xml)} to be rejected`);
}

/** The shape of an Azure default body (CRLF, `<!DOCTYPE html >`, `<head />`, `$Var` in attributes). */
const AZURE_STYLE =
  '<!DOCTYPE html >\r\n<html>\r\n  <head />\r\n  <body>\r\n' +
  '    <p style="font-size:12pt;font-family:\'Segoe UI\'">Dear $DevFirstName $DevLastName,</p>\r\n' +
  '    <p style="font-size:12pt;font-family:\'Segoe UI\'">Click this <a href="http://$DevPortalUrl/issues/$IssueId">link</a>.</p>\r\n' +
  '  </body>\r\n</html>';

describe('checkWellFormed: accepted documents', () => {
  it.each([
    ['a single empty element', '<a/>'],
    ['an Azure-style body', AZURE_STYLE],
    ['an XML declaration', '<?xml version="1.0" encoding="utf-8"?>\n<html><body/></html>'],
    ['a BOM and a declaration', '\uFEFF<?xml version=\'1.0\'?><html/>'],
    ['a lower-case doctype', '<!doctype html><html></html>'],
    ['a doctype with a public id', '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html/>'],
    ['a doctype with an internal subset', '<!DOCTYPE x [ <!ENTITY a "b>c"> ]><x/>'],
    ['comments and processing instructions around and inside', '<!-- a --><?pi data?><x><!-- b - c --><?pi?></x><!-- after -->\n'],
    ['CDATA', '<x><![CDATA[ <not> & a tag ]]></x>'],
    ['entities', '<x a="&amp;&quot;">&lt;&gt;&apos;&amp; &nbsp;&mdash;&copy;&hellip; &#169;&#xA9;&#x1F600;&#65;</x>'],
    ['attributes in both quotes with spaces around =', `<x a = "1" b='2' c="it's" d='say "hi"'/>`],
    ['namespaced names', '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en"><o:p/></html>'],
    ['velocity text', '<html><body>\n#if ($a and $b)\n<p>$a ${b} $!c</p>\n#{else}\n<p>#foreach ($x in $L)$x.Name#end</p>\n#end\n</body></html>'],
    ['non-ASCII names and text', '<été ñ="ü">日本語 😀</été>'],
    ['whitespace around the root', '  \n<x>\n</x>\n\t '],
    ['end tags with spaces', '<x><y></y  ></x >'],
    ['a ] and > in text', '<x>a ] b > c ]] d</x>'],
  ])('%s', (_label, xml) => {
    expect(() => checkWellFormed(xml)).not.toThrow();
  });

  it('accepts every entity it documents', () => {
    const body = Object.keys(HTML_ENTITIES)
      .map((name) => `&${name};`)
      .join(' ');
    expect(() => checkWellFormed(`<x>${body}</x>`)).not.toThrow();
  });
});

describe('checkWellFormed: the first problem and its position', () => {
  it('names the mismatched tags and where the open one started', () => {
    const xml = '<html>\n<body>\n    <div>\n           </p>\n';
    const err = problem(xml);
    expect(err.message).toBe('Line 4, column 12: </p> closes <div> opened at line 3, column 5');
    expect(err).toMatchObject({ line: 4, column: 12 });
  });

  it.each([
    ['', 1, 1, 'no root element'],
    ['   \n  ', 2, 3, 'no root element'],
    ['<!-- only a comment -->', 1, 24, 'no root element'],
    ['<a><b></a>', 1, 7, '</a> closes <b> opened at line 1, column 4'],
    ['<a>\n<br>\n</a>', 3, 1, '</a> closes <br> opened at line 2, column 1 (in XHTML an empty element is written <br/>)'],
    ['<a>\n  <b>', 2, 6, '<b> opened at line 2, column 3 is not closed'],
    ['<a></a></a>', 1, 8, '</a> has no matching start tag'],
    ['<a/><b/>', 1, 5, '<b> comes after the root element ends'],
    ['<a></a>\n<b></b>', 2, 1, 'comes after the root element'],
    ['hello <a/>', 1, 1, 'Text is not allowed before the root element'],
    ['<a/> $Name', 1, 6, 'Text is not allowed after the root element'],
    ['#if ($a)\n<a/>\n#end', 1, 1, 'before the root element'],
    ['<a b=1/>', 1, 6, 'must be quoted'],
    ['<a b/>', 1, 5, 'has no value'],
    ['<a b="1" b="2"/>', 1, 10, 'Attribute b appears twice'],
    ['<a b="1"c="2"/>', 1, 9, "Expected a space, '>' or '/>'"],
    ['<a b="x<y"/>', 1, 8, "'<' is not allowed in an attribute value"],
    ['<a b="x/>', 1, 6, 'is not closed'],
    ['<a\n  b="1"', 1, 1, 'Tag <a> is not closed'],
    ['<a / >', 1, 4, "Expected '/>'"],
    ['<a =""/>', 1, 4, 'Expected an attribute name'],
    ['<a>x < y</a>', 1, 6, "'<' must start a tag"],
    ['<a>\n#if ($n < 3)#end</a>', 2, 9, "in a #if condition write 'lt'"],
    ['<a>Tom & Jerry</a>', 1, 8, "'&' must start an entity reference"],
    ['<a>#if ($x && $y)#end</a>', 1, 12, "'&&' is not allowed in XML"],
    ['<a href="?a=1&b=2"/>', 1, 14, "'&' must start an entity reference"],
    ['<a>&foo;</a>', 1, 4, 'Unknown entity &foo;'],
    ['<a>&NBSP;</a>', 1, 4, 'Unknown entity &NBSP;'],
    ['<a>&#0;</a>', 1, 4, 'not a legal XML character'],
    ['<a>&#xD800;</a>', 1, 4, 'not a legal XML character'],
    ['<a>&#x;</a>', 1, 4, 'Malformed character reference'],
    ['<a>&#12a;</a>', 1, 4, 'Malformed character reference'],
    ['<a>a ]]> b</a>', 1, 6, "']]>' is not allowed in text"],
    ['<a><!-- a -- b --></a>', 1, 11, "'--' is not allowed inside a comment"],
    ['<a><!-- never closed</a>', 1, 4, 'Comment is not closed'],
    ['<a><![CDATA[ x </a>', 1, 4, 'CDATA section is not closed'],
    ['<![CDATA[x]]><a/>', 1, 1, 'only allowed inside the root element'],
    ['<a/><!DOCTYPE a>', 1, 5, '<!DOCTYPE> must come before the root element'],
    ['<!DOCTYPE a><!DOCTYPE a><a/>', 1, 13, 'Only one <!DOCTYPE>'],
    ['<!DOCTYPE a', 1, 1, '<!DOCTYPE> is not closed'],
    ['<!DOCTYPEa><a/>', 1, 1, 'Malformed <!DOCTYPE>'],
    ['<!ELEMENT a><a/>', 1, 1, "Unexpected '<!'"],
    [' <?xml version="1.0"?><a/>', 1, 2, 'only allowed at the very start'],
    ['<?xml encoding="utf-8"?><a/>', 1, 1, 'Malformed XML declaration'],
    ['<?xml version="1.0"', 1, 1, 'XML declaration is not closed'],
    ['<a><? x?></a>', 1, 4, 'Malformed processing instruction'],
    ['<a><?pi never</a>', 1, 4, 'Processing instruction is not closed'],
    ['<a></ a>', 1, 4, 'Malformed end tag'],
    ['<a></a b>', 1, 8, 'Malformed end tag </a>'],
    ['<1a/>', 1, 1, "'<' must start a tag"],
    ['<a>\u0001</a>', 1, 4, 'Character U+0001 is not allowed in XML'],
    ['<a>\uFFFF</a>', 1, 4, 'Character U+FFFF'],
    ['<a>\uD800x</a>', 1, 4, 'Character U+D800'],
    ['<a>ok</a>\u0000', 1, 10, 'Character U+0000'],
    ['a\r\nb\r\n<x/>', 1, 1, 'before the root element'],
    ['<x>\r\n\r\n  </y>', 3, 3, '</y> closes <x>'],
    ['<x>\r\r  </y>', 3, 3, '</y> closes <x>'],
  ])('%j fails at %i:%i', (xml, line, column, reason) => {
    const err = problem(xml);
    expect({ line: err.line, column: err.column }).toEqual({ line, column });
    expect(err.reason).toContain(reason);
    expect(err.message).toBe(`Line ${line}, column ${column}: ${err.reason}`);
  });

  it('reports a forbidden character when it comes before the structural problem', () => {
    expect(problem('<a>\u0007</b>').reason).toContain('U+0007');
    expect(problem('<a></b>\u0007').reason).toContain('</b> closes <a>');
  });
});

describe('checkWellFormed: robustness', () => {
  // How long these take (and that the time grows linearly) is measured by `npm run bench:parsers`.
  it('handles deep nesting and large documents', () => {
    const depth = 100_000;
    const deep = '<d>'.repeat(depth) + 'x'.repeat(10) + '</d>'.repeat(depth);
    const wide = '<r>' + '<p class="c" id=\'i\'>text &amp; $Var &#169;</p>\n'.repeat(50_000) + '</r>';
    expect(() => checkWellFormed(deep)).not.toThrow();
    expect(() => checkWellFormed(wide)).not.toThrow();
    // At that depth a problem is still found, and placed: the last close tag missing.
    const unclosed = problem(deep.slice(0, -'</d>'.length));
    expect(unclosed.line).toBe(1);
    expect(unclosed.column).toBeGreaterThanOrEqual(1);
  });

  it('throws only XhtmlError, with a position inside the input', () => {
    const pieces = ['<', '>', '/', '</', '/>', 'a', 'b', '="', '"', "'", ' ', '\n', '&', ';', '#', 'amp', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '<!DOCTYPE a>', 'x'];
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')), fc.string()), (xml) => {
        try {
          checkWellFormed(xml);
        } catch (err) {
          expect(err).toBeInstanceOf(XhtmlError);
          const e = err as XhtmlError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('htmlToText', () => {
  it('turns blocks into lines and paragraphs', () => {
    const html =
      '<html><head><title>Dropped title</title><style>p { color: red }</style></head><body>' +
      '<h1>Welcome</h1><p>First   paragraph\n   spans lines.</p><div>A div</div><div>Another</div>' +
      '<p>Line one<br/>Line two<br/><br/>After a blank line</p><script>alert(1)</script></body></html>';
    expect(htmlToText(html)).toBe(
      'Welcome\n\nFirst paragraph spans lines.\n\nA div\nAnother\n\nLine one\nLine two\n\nAfter a blank line',
    );
  });

  it('writes links as "label (url)", or the url alone', () => {
    expect(htmlToText('<p>Go <a href="https://x.example/a?b=1&amp;c=2">here</a> now.</p>')).toBe(
      'Go here (https://x.example/a?b=1&c=2) now.',
    );
    expect(htmlToText('<a href="https://x.example/">https://x.example/</a>')).toBe('https://x.example/');
    expect(htmlToText('<a href="https://x.example/"> </a>')).toBe('https://x.example/');
    expect(htmlToText('<a href="https://x.example/"><img src="i.png"/></a>')).toBe('https://x.example/');
    expect(htmlToText('<a href="mailto:help@x.example">help@x.example</a>')).toBe('help@x.example');
    expect(htmlToText('<a href="#top">Top</a> <a href="javascript:void(0)">JS</a> <a>none</a>')).toBe('Top JS none');
    expect(htmlToText('<a href="u"><strong>Bold</strong> label</a>')).toBe('Bold label (u)');
  });

  it('decodes entities and keeps unknown ones', () => {
    expect(htmlToText('<p>&lt;tag&gt; &amp; &quot;q&quot; &apos;a&apos; &#169; &#xA9; &copy; &mdash; &bogus; &#xD800;</p>')).toBe(
      '<tag> & "q" \'a\' © © © — &bogus; &#xD800;',
    );
    expect(decodeEntities('a&nbsp;b')).toBe('a\u00a0b');
  });

  it('lists, tables, images, pre, comments and CDATA', () => {
    expect(htmlToText('<p>Steps:</p><ol><li>One</li>\n<li>Two</li></ol><p>End</p>')).toBe('Steps:\n\n- One\n- Two\n\nEnd');
    expect(htmlToText('<table><tr><th>API</th><th>Calls</th></tr>\n<tr><td>Echo</td>\n<td>5</td></tr></table>')).toBe(
      'API | Calls\nEcho | 5',
    );
    expect(htmlToText('<p><img src="x.png" alt="Logo"/> Contoso</p>')).toBe('Logo Contoso');
    expect(htmlToText('<pre>a\n  b</pre><p>c   d</p>')).toBe('a\n  b\n\nc d');
    expect(htmlToText('<p>a<!-- hidden -->b<![CDATA[ <c> ]]></p>')).toBe('ab <c>');
  });

  it('is lenient with broken HTML', () => {
    expect(htmlToText('a < b and <p unclosed')).toBe('a < b and');
    expect(htmlToText('<p>x</div></p>y<')).toBe('x\n\ny<');
    expect(htmlToText('<style>never closed')).toBe('');
    expect(htmlToText('<a href=unquoted>label</a>')).toBe('label (unquoted)');
  });

  it('never throws', () => {
    fc.assert(
      fc.property(fc.string(), (html) => {
        expect(typeof htmlToText(html)).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });
});
