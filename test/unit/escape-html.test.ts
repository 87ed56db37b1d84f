import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/domain/escape-html.js';

describe('escapeHtml', () => {
  it.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
  ])('escapes %s as %s', (ch, entity) => {
    expect(escapeHtml(ch)).toBe(entity);
  });

  it('escapes every occurrence, and an existing entity again', () => {
    expect(escapeHtml(`<a href="x?a=1&b='2'">&amp;</a>`)).toBe(
      '&lt;a href=&quot;x?a=1&amp;b=&#39;2&#39;&quot;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml('<<>>')).toBe('&lt;&lt;&gt;&gt;');
  });

  it('leaves everything else as it is', () => {
    const plain = 'Plain text, ünïcode 😀, `backticks`, = / \\ and new\nlines';
    expect(escapeHtml(plain)).toBe(plain);
    expect(escapeHtml('')).toBe('');
  });
});
