/**
 * A policy document of one scope, from Azure's XML to what the gateway enforces: well-formed,
 * `<policies>` with at most one of each section, every element one the gateway enforces, in a
 * section and scope where Azure allows it, its attributes and children checked by its rule
 * (elements/). `{{named value}}`s are substituted in attribute values and text first, as if
 * written there. Every problem found is reported, each where it stands, up to MAX_PROBLEMS.
 */
import { ELEMENT_RULES, AZURE_ONLY_POLICIES } from './elements/table.js';
import { substituteNamedValues } from './named-values.js';
import { ElementReader, Problems } from './reader.js';
import { FORWARD_TIMEOUT_DEFAULT } from './elements/routing.js';
import { SECTIONS, type NamedValueLookup, type SourcePosition, type ParseResult, type PolicyElement, type PolicyScope, type SectionName } from './types.js';
import { readXmlTree, type XmlElement } from './xml-tree.js';

const SUPPORTED = ['base', ...ELEMENT_RULES.keys()].join(', ');

function substitute(root: XmlElement, lookup: NamedValueLookup, problems: Problems): void {
  const stack = [root];
  for (let element = stack.pop(); element !== undefined; element = stack.pop()) {
    const el = element;
    const reported = new Set<string>();
    const unknown = (name: string): void => {
      if (reported.has(name.toLowerCase())) return;
      reported.add(name.toLowerCase());
      problems.add(el.name, el.at, `The named value '${name}' ({{${name}}}) does not exist.`);
    };
    for (const attribute of el.attributes) attribute.value = substituteNamedValues(attribute.value, lookup, unknown);
    el.text = substituteNamedValues(el.text, lookup, unknown);
    stack.push(...el.children);
  }
}

function readElement(child: ElementReader, section: SectionName, scope: PolicyScope): PolicyElement | undefined {
  if (child.name === 'base') return { kind: 'base', at: child.at, source: child.element.source };
  const rule = ELEMENT_RULES.get(child.name);
  if (rule === undefined) {
    child.problem(
      AZURE_ONLY_POLICIES.has(child.name)
        ? `The policy <${child.name}> is not enforced by Tollgate's gateway, so it cannot be stored; supported: ${SUPPORTED}.`
        : `<${child.name}> is not a policy element; supported: ${SUPPORTED}.`,
    );
    child.skip();
    return undefined;
  }
  if (!rule.sections.includes(section)) child.problem(`<${child.name}> is not allowed in the ${section} section; it may be used in: ${rule.sections.join(', ')}.`);
  if (!rule.scopes.includes(scope)) child.problem(`Policy is not allowed in the specified scope: <${child.name}> cannot be used at ${scope} scope, only at: ${rule.scopes.join(', ')}.`);
  const element = rule.read(child);
  child.finish(rule.azureOnly);
  element.source = child.element.source;
  return element;
}

function readSection(section: ElementReader, name: SectionName, scope: PolicyScope): PolicyElement[] {
  const elements: PolicyElement[] = [];
  let bases = 0;
  section.eachChild((child) => {
    if (child.name === 'base' && ++bases === 2) child.problem(`A section may have only one <base />.`);
    const element = readElement(child, name, scope);
    if (element !== undefined) elements.push(element);
  });
  return elements;
}

export function parsePolicy(xml: string, scope: PolicyScope, namedValues: NamedValueLookup): ParseResult {
  const tree = readXmlTree(xml);
  if (!tree.ok) return { ok: false, problems: [{ element: 'policies', line: tree.at.line, column: tree.at.column, message: tree.message }] };
  const problems = new Problems();
  const root = new ElementReader(tree.root, problems);
  if (root.name !== 'policies') {
    root.problem(`The root element must be <policies>, not <${root.name}>.`);
    return { ok: false, problems: problems.list };
  }
  substitute(tree.root, namedValues, problems);
  const read: Partial<Record<SectionName, PolicyElement[]>> = {};
  const handlers = Object.fromEntries(
    SECTIONS.map((name) => [
      name,
      (section: ElementReader) => {
        read[name] = readSection(section, name, scope);
      },
    ]),
  );
  root.children(handlers, { once: SECTIONS });
  root.finish();
  if (problems.count > 0) return { ok: false, problems: problems.list };
  const at = tree.root.at;
  const sections = Object.fromEntries(SECTIONS.map((name) => [name, read[name] ?? absentSection(name, scope, at)])) as Record<SectionName, PolicyElement[]>;
  return { ok: true, document: { scope, sections } };
}

/**
 * What a section left out of a document does: what its scope does by default. Below global that
 * is `<base />` (a document written with only `<inbound>` still forwards calls, as the enclosing
 * scopes say); at global it is Azure's default, whose backend forwards. An empty section written
 * out (`<backend />`) is the way to have none.
 */
function absentSection(name: SectionName, scope: PolicyScope, at: SourcePosition): PolicyElement[] {
  if (scope !== 'global') return [{ kind: 'base', at }];
  return name === 'backend' ? [{ kind: 'forward-request', at, timeoutSeconds: FORWARD_TIMEOUT_DEFAULT }] : [];
}
