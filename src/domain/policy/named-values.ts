/**
 * Named values: Azure's `{{display name}}` placeholders in policy documents, and the rule their
 * display names follow (definitions.json, NamedValueCreateContractProperties.displayName).
 */

const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
export const NAMED_VALUE_NAME_MAX_LENGTH = 256;

/** Letters, digits, '.', '-' and '_', 1 to 256 characters. */
export function isNamedValueName(name: string): boolean {
  return name.length <= NAMED_VALUE_NAME_MAX_LENGTH && NAME_PATTERN.test(name);
}

// Only what could be a display name is a reference; `{{ x }}` or `{{a b}}` stays literal text.
const REFERENCE = /\{\{([A-Za-z0-9._-]{1,256})\}\}/g;
// Comments are not interpreted, so what they mention is not a reference.
const XML_COMMENT = /<!--[\s\S]*?-->/g;

/** The display names a document references, each once (first spelling kept, compared ignoring case). */
export function namedValueReferences(xml: string): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const match of xml.replace(XML_COMMENT, '').matchAll(REFERENCE)) {
    const name = match[1] as string;
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(name);
  }
  return names;
}

/**
 * `text` with every `{{name}}` replaced by its value; the names `lookup` does not know are given
 * to `unknown` and left as written.
 */
export function substituteNamedValues(
  text: string,
  lookup: (displayName: string) => string | undefined,
  unknown: (displayName: string) => void,
): string {
  if (!text.includes('{{')) return text;
  return text.replace(REFERENCE, (whole, name: string) => {
    const value = lookup(name);
    if (value === undefined) {
      unknown(name);
      return whole;
    }
    return value;
  });
}
