/**
 * Email templates as administrators see them: the 14 built-in defaults, each of which can be edited
 * (a row in email_templates) and reset to its default (the row removed). Every save is validated:
 * well-formed XHTML, Velocity syntax, and only the template's own parameters.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { notFound } from '../domain/errors.js';
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { newEtag } from '../domain/ids.js';
import { parseInput, text } from '../domain/validate.js';
import { parseFilter } from '../domain/filter/parser.js';
import { matchesFilter } from '../domain/filter/evaluate.js';
import { TEMPLATE_FILTER_FIELDS } from '../domain/filter/fields.js';
import { TEMPLATES, TEMPLATE_NAMES, findTemplateName, type TemplateDefinition, type TemplateName, type TemplateParameter } from '../mail/templates/catalogue.js';
import { validateTemplate, type TemplateContent } from '../mail/render/index.js';
import type { Store } from '../store/index.js';
import type { TemplateRow } from '../store/templates-repo.js';
import type { ServiceDeps } from './deps.js';
import type { Page, PageRequest } from './views.js';

export interface EmailTemplateView {
  name: TemplateName;
  /** Azure's PascalCase spelling, which it returns as the resource name. */
  displayName: string;
  subject: string;
  body: string;
  title: string;
  description: string;
  isDefault: boolean;
  parameters: readonly TemplateParameter[];
  etag: string;
}

const SUBJECT_MAX = 1000;
export const templateInput = z.object({
  subject: text().min(1, 'is required').max(SUBJECT_MAX, `must be at most ${SUBJECT_MAX} characters`).optional(),
  body: text().min(1, 'is required').max(100_000, 'must be at most 100,000 characters').optional(),
  title: text().max(1000).nullable().optional(),
  description: text().max(2000).nullable().optional(),
  // The parameters a template may use are fixed by the code that sends it; a list sent here is ignored.
  parameters: z.array(z.unknown()).nullable().optional(),
});
export type TemplateInput = z.output<typeof templateInput>;

/** Defaults have a stable ETag derived from their content, so a client can PATCH a default with If-Match. */
function defaultEtag(def: TemplateDefinition): string {
  return createHash('sha256').update(`${def.subject}\n${def.body}`).digest('base64').slice(0, 12);
}

function viewOf(def: TemplateDefinition, row: TemplateRow | undefined): EmailTemplateView {
  return {
    name: def.name,
    displayName: def.displayName,
    subject: row?.subject ?? def.subject,
    body: row?.body ?? def.body,
    title: row?.title ?? def.title,
    description: row?.description ?? def.description,
    isDefault: row === undefined,
    parameters: def.parameters,
    etag: row?.etag ?? defaultEtag(def),
  };
}

export function createEmailTemplateService(deps: Pick<ServiceDeps, 'store' | 'clock'>) {
  const { store, clock } = deps;

  function definition(rawName: string): TemplateDefinition {
    const name = findTemplateName(rawName);
    if (!name) throw notFound('Email template');
    return TEMPLATES[name];
  }

  async function current(tx: Store, def: TemplateDefinition): Promise<EmailTemplateView> {
    return viewOf(def, await tx.templates.findTemplate(def.name));
  }

  async function save(tx: Store, def: TemplateDefinition, content: TemplateContent & { title: string; description: string }): Promise<void> {
    validateTemplate(def, content);
    await tx.templates.saveTemplate({
      name: def.name,
      subject: content.subject,
      body: content.body,
      title: content.title,
      description: content.description,
      etag: newEtag(),
      updated_at: clock.now().toISOString(),
    });
  }

  return {
    async list(page: PageRequest): Promise<Page<EmailTemplateView>> {
      const filter = page.filter ? parseFilter(page.filter, TEMPLATE_FILTER_FIELDS) : undefined;
      const rows = new Map((await store.templates.listTemplates()).map((r) => [r.name, r]));
      const all = TEMPLATE_NAMES.map((n) => viewOf(TEMPLATES[n], rows.get(n))).filter(
        (v) => !filter || matchesFilter(filter, () => v.name) || matchesFilter(filter, () => v.displayName),
      );
      return { items: all.slice(page.skip, page.skip + page.top), count: all.length };
    },

    async get(rawName: string): Promise<EmailTemplateView> {
      return current(store, definition(rawName));
    },

    /** The content a message of this template is rendered from now (the edit, or the default). */
    async contentFor(name: TemplateName): Promise<TemplateContent> {
      const v = await current(store, TEMPLATES[name]);
      return { subject: v.subject, body: v.body };
    },

    /** PUT: subject and body are required; `created` is true when the default is edited for the first time. */
    async replace(rawName: string, input: TemplateInput, ifMatch?: string): Promise<{ template: EmailTemplateView; created: boolean }> {
      const def = definition(rawName);
      const required = parseInput(z.object({ subject: z.string(), body: z.string() }), input);
      return store.transaction(async (tx) => {
        const before = await current(tx, def);
        checkIfMatch(ifMatch, before.etag);
        await save(tx, def, {
          subject: required.subject,
          body: required.body,
          title: input.title ?? before.title,
          description: input.description ?? before.description,
        });
        return { template: await current(tx, def), created: before.isDefault };
      });
    },

    /** PATCH: only the given fields change. */
    async update(rawName: string, input: TemplateInput, ifMatchHeader: string | undefined): Promise<EmailTemplateView> {
      const ifMatch = requireIfMatch(ifMatchHeader);
      const def = definition(rawName);
      return store.transaction(async (tx) => {
        const before = await current(tx, def);
        checkIfMatch(ifMatch, before.etag);
        await save(tx, def, {
          subject: input.subject ?? before.subject,
          body: input.body ?? before.body,
          title: input.title ?? before.title,
          description: input.description ?? before.description,
        });
        return current(tx, def);
      });
    },

    /** DELETE resets to the built-in default (Azure's semantics). False when it was the default already. */
    async reset(rawName: string, ifMatchHeader: string | undefined): Promise<boolean> {
      const ifMatch = requireIfMatch(ifMatchHeader);
      const def = definition(rawName);
      return store.transaction(async (tx) => {
        const before = await current(tx, def);
        checkIfMatch(ifMatch, before.etag);
        if (before.isDefault) return false;
        await tx.templates.deleteTemplate(def.name);
        return true;
      });
    },
  };
}

export type EmailTemplateService = ReturnType<typeof createEmailTemplateService>;
