/**
 * The benchmark's document: GitHub's REST API description (@octokit/openapi 2.2.1,
 * api.github.com.json: OpenAPI 3.0.3, 706 operations, 3.1 MB; the large fixture of the import
 * tests), grown to the size asked for with more of its own real operations: path items of the
 * same document again, in document order, under `/mirror-<n>` with `-mirror-<n>` added to their
 * operationIds, until the JSON text reaches the size. The components stay as they are (the copies
 * refer to the same schemas), so the result validates as the original does.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const GITHUB_DESCRIPTION = '@octokit/openapi/generated/api.github.com.json';

export interface BenchDocument {
  text: string;
  operations: number;
  /** Of them, copies of the document's own operations under /mirror-<n>. */
  copies: number;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
type Json = Record<string, unknown>;

const countOperations = (item: Json) => METHODS.filter((m) => item[m] !== undefined).length;

function copyOf(item: Json, suffix: string): Json {
  const out: Json = { ...item };
  for (const m of METHODS) {
    const op = item[m] as Json | undefined;
    if (op) out[m] = { ...op, ...(typeof op.operationId === 'string' ? { operationId: `${op.operationId}${suffix}` } : {}) };
  }
  return out;
}

/** GitHub's description as JSON text of at least `bytes` (never less than the original). */
export function benchDocument(bytes: number): BenchDocument {
  const original = readFileSync(createRequire(import.meta.url).resolve(GITHUB_DESCRIPTION), 'utf8');
  const doc = JSON.parse(original) as Json & { paths: Record<string, Json> };
  const source = Object.entries(doc.paths);
  const paths: Record<string, Json> = { ...doc.paths };
  // Printed without indentation, as the grown document is.
  let size = JSON.stringify(doc).length;
  let copies = 0;
  for (let n = 1, i = 0; size < bytes; i++) {
    if (i === source.length) [n, i] = [n + 1, 0];
    const [path, item] = source[i]!;
    const copy = copyOf(item, `-mirror-${n}`);
    const key = `/mirror-${n}${path}`;
    paths[key] = copy;
    // The entry's own size in the printed document: key, colon, value and a comma.
    size += JSON.stringify(key).length + JSON.stringify(copy).length + 2;
    copies += countOperations(item);
  }
  const text = copies === 0 ? original : JSON.stringify({ ...doc, paths });
  return { text, operations: Object.values(paths).reduce((sum, item) => sum + countOperations(item), 0), copies };
}
