/**
 * An operation as its reference page and its "Try it" form read it: every parameter with where it
 * goes (path, query, header), from the URL template (`/pets/{petId}?limit={limit}`: the query
 * part holds the required query parameters an import made template parameters) and the stored
 * request description; and the first example of a representation, to prefill the body with.
 */
import type { OperationRequest, OperationResponse, TemplateParameter } from '../api-input.js';
import { splitTemplate } from '../openapi/export.js';

export type ParameterLocation = 'path' | 'query' | 'header';

export interface ReferenceParameter {
  name: string;
  location: ParameterLocation;
  type: string;
  required: boolean;
  description?: string | undefined;
  defaultValue?: string | undefined;
  values?: string[] | undefined;
}

export type Representation = NonNullable<OperationRequest['representations']>[number];

/** What this module reads of an operation (the service layer's ApiOperationView fits). */
export interface ReferencedOperation {
  urlTemplate: string;
  templateParameters: readonly TemplateParameter[];
  request: Record<string, unknown> | null;
  responses: unknown[] | null;
}

const braces = (text: string) => [...text.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

function parameterOf(p: TemplateParameter | undefined, name: string, location: ParameterLocation, required: boolean): ReferenceParameter {
  return {
    name,
    location,
    type: p?.type ?? 'string',
    required,
    description: p?.description || undefined,
    defaultValue: p?.defaultValue,
    values: p?.values && p.values.length > 0 ? p.values : undefined,
  };
}

/** The operation's parameters: the template's (path, then its query part), then the other query parameters and headers. */
export function operationParameters(o: ReferencedOperation): ReferenceParameter[] {
  const { path, query } = splitTemplate(o.urlTemplate);
  const declared = new Map(o.templateParameters.map((p) => [p.name, p]));
  const out = [
    ...braces(path).map((name) => parameterOf(declared.get(name), name, 'path', true)),
    ...query.map((name) => parameterOf(declared.get(name), name, 'query', true)),
  ];
  const request = requestOf(o);
  const seen = new Set(out.map((p) => `${p.location}:${p.name.toLowerCase()}`));
  for (const [list, location] of [[request.queryParameters, 'query'], [request.headers, 'header']] as const) {
    for (const p of list ?? []) {
      const key = `${location}:${p.name.toLowerCase()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(parameterOf(p, p.name, location, p.required === true));
    }
  }
  return out;
}

export function requestOf(o: Pick<ReferencedOperation, 'request'>): OperationRequest {
  return (o.request ?? {}) as OperationRequest;
}

/** The responses, in status order. */
export function responsesOf(o: Pick<ReferencedOperation, 'responses'>): OperationResponse[] {
  return ((o.responses ?? []) as OperationResponse[]).slice().sort((a, b) => a.statusCode - b.statusCode);
}

export interface NamedExample {
  name: string;
  summary?: string | undefined;
  description?: string | undefined;
  value: unknown;
}

/** A representation's examples (Azure's `{ name: { summary, description, value } }`). */
export function examplesOf(r: Representation): NamedExample[] {
  return Object.entries(r.examples ?? {}).flatMap(([name, e]): NamedExample[] => {
    if (e === null || e === undefined) return [];
    if (typeof e !== 'object' || Array.isArray(e) || !('value' in e)) return [{ name, value: e }];
    const x = e as { summary?: unknown; description?: unknown; value: unknown };
    return [{ name, summary: typeof x.summary === 'string' ? x.summary : undefined, description: typeof x.description === 'string' ? x.description : undefined, value: x.value }];
  });
}

export const EXAMPLE_TEXT_MAX = 20_000;

/** An example as text to read: JSON pretty-printed (also JSON held in a string), other text as it is; cut past a limit. */
export function exampleText(value: unknown, max = EXAMPLE_TEXT_MAX): string {
  let text: string;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      text = typeof parsed === 'object' && parsed !== null ? JSON.stringify(parsed, null, 2) : value;
    } catch {
      text = value;
    }
  } else {
    text = JSON.stringify(value, null, 2) ?? String(value);
  }
  return text.length > max ? `${text.slice(0, max)}\n…` : text;
}
