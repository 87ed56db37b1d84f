/**
 * Operation names of an imported document, as Azure derives them: the operationId lower-cased,
 * each run of characters other than a-z and 0-9 turned into one '-', dashes trimmed, cut to 76
 * characters (so that a '-N' suffix still fits Azure's 80); without an operationId, the method and
 * the path (`get /pets/{id}` -> `get-pets-id`). Duplicates get '-1', '-2', ... in document order.
 */
export const OPERATION_NAME_BASE_MAX = 76;

export function normalizeOperationName(raw: string): string {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, OPERATION_NAME_BASE_MAX)
    .replace(/-+$/, '');
  // A name of nothing but punctuation still needs a name.
  return name === '' ? 'operation' : name;
}

/** The base name of an operation: its operationId when it has one, else method and path. */
export function baseOperationName(operationId: string | undefined, method: string, path: string): string {
  const id = operationId?.trim();
  return normalizeOperationName(id ? id : `${method} ${path}`);
}

/** Makes each name unique in order: the first keeps its name, the next ones get '-1', '-2', ... */
export function uniqueNames(bases: readonly string[]): string[] {
  const taken = new Set<string>();
  const next = new Map<string, number>();
  return bases.map((base) => {
    let name = base;
    let n = next.get(base) ?? 1;
    while (taken.has(name)) name = `${base}-${n++}`;
    next.set(base, n);
    taken.add(name);
    return name;
  });
}
