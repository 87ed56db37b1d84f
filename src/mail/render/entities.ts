/**
 * Entities the template bodies may use. XML itself knows only the five in XML_ENTITIES; Tollgate
 * also accepts the HTML entities in HTML_ENTITIES (the ones people type in email copy: spaces,
 * dashes, quotes, symbols, arrows), because every mail client renders bodies as HTML. Any other
 * character can be written as a numeric reference (`&#8230;`, `&#x2026;`) or as itself in UTF-8.
 * Note that a strict XML parser (Azure's XDocument) would reject the HTML ones.
 */
export const XML_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

export const HTML_ENTITIES: Readonly<Record<string, string>> = {
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  shy: '\u00ad',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  laquo: '\u00ab',
  raquo: '\u00bb',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  bull: '\u2022',
  middot: '\u00b7',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  deg: '\u00b0',
  times: '\u00d7',
  divide: '\u00f7',
  plusmn: '\u00b1',
  sect: '\u00a7',
  para: '\u00b6',
  larr: '\u2190',
  rarr: '\u2192',
  uarr: '\u2191',
  darr: '\u2193',
  harr: '\u2194',
};

/** The character a named entity stands for, if it is one of the accepted ones. */
export function namedEntity(name: string): string | undefined {
  if (Object.hasOwn(XML_ENTITIES, name)) return XML_ENTITIES[name];
  if (Object.hasOwn(HTML_ENTITIES, name)) return HTML_ENTITIES[name];
  return undefined;
}

/** Whether a code point is a legal XML 1.0 character. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
