/**
 * Email templates as administrators see them: the 14 built-in defaults, each of which can be edited
 * (a row in email_templates) and reset to its default (the row removed). Every save is validated:
 * well-formed XHTML, Velocity syntax, and only the template's own parameters.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { invalidField, notFound } from '../domain/errors.js';
import { isEmailAddress } from '../domain/email-address.js';
import { EMAIL_MAX } from '../domain/user.js';
import { checkIfMatch, requireIfMatch } from '../domain/etag.js';
import { parseInput, text } from '../domain/validate.js';
import { parseFilter } from '../domain/filter/parser.js';
import { matchesFilter } from '../domain/filter/evaluate.js';
import { TEMPLATE_FILTER_FIELDS } from '../domain/filter/fields.js';
import { TEMPLATES, TEMPLATE_NAMES, findTemplateName, type TemplateDefinition, type TemplateName, type TemplateParameter } from '../mail/templates/catalogue.js';
import { renderEmail, validateTemplate, type RenderedEmail, type TemplateContent } from '../mail/render/index.js';
import type { Store } from '../store/index.js';
import type { TemplateRow } from '../store/templates-repo.js';
import type { ServiceDeps } from './deps.js';
import { SYSTEM, type ActorContext } from './audit.js';
import { inWrite, patchInWrite, type Write, type WriteDeps } from './writes.js';
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

/**
 * Marks an outbox row as a test message sent from the admin UI: its parameters are sample values,
 * including a sample link (no account behind it, and no token is minted for it).
 */
export const TEST_MESSAGE_PARAM = 'TollgateTestMessage';

/** Whether an outbox row's parameters are those of a test message. */
export function isTestMessage(params: Record<string, unknown>): boolean {
  return params[TEST_MESSAGE_PARAM] === 'true';
}

/** Where each link template's sample link points, and how long such a link works by default. */
const SAMPLE_LINKS: Partial<Record<TemplateName, { path: string; validFor: string }>> = {
  inviteUserNotificationMessage: { path: '/invitation', validFor: '2 days' },
  confirmSignUpIdentityDefault: { path: '/confirm/signup', validFor: '2 days' },
  passwordResetIdentityDefault: { path: '/reset-password', validFor: '1 hour' },
  emailChangeIdentityDefault: { path: '/confirm/email', validFor: '2 days' },
};

const SAMPLE_TEXT: Readonly<Record<string, unknown>> = {
  DevFirstName: 'Ada',
  DevLastName: 'Lovelace',
  DevEmail: 'ada.lovelace@example.com',
  DevUsername: 'ada.lovelace@example.com',
  IdentityProvider: 'Basic',
  ProdId: 'starter',
  ProdName: 'Starter',
  SubStartDate: '2026-01-15',
  SubTerm: 'Monthly',
  SubDeclineReason: 'This product is reserved for partners.',
  SubPrimaryKey: 'sample-subscription-key',
  QuotaResetDate: '2026-02-01',
  Apis: [
    {
      Name: 'Weather',
      Calls: '9,500 of 10,000',
      Bandwidth: '120 MB',
      Operations: [
        { Name: 'Get forecast', Calls: '9,000', Bandwidth: '110 MB' },
        { Name: 'Get alerts', Calls: '500', Bandwidth: '10 MB' },
      ],
    },
  ],
  AppId: 'app-1',
  AppName: 'Contoso Weather App',
  IssueId: '42',
  IssueName: 'Forecast returns yesterday',
  CommentText: 'Thanks, we are looking into it.',
  CommenterFirstName: 'Grace',
  CommenterLastName: 'Hopper',
};

/**
 * The values a preview or a test message of a template is rendered with: made-up ones, the site's
 * own name and address, and for a template with a link, a sample link that works nowhere.
 */
export function sampleValues(def: TemplateDefinition, site: { organizationName: string; publicUrl: string }): Record<string, unknown> {
  const link = SAMPLE_LINKS[def.name];
  const query = 'token=sample-token';
  const known: Record<string, unknown> = {
    ...SAMPLE_TEXT,
    OrganizationName: site.organizationName,
    DevPortalUrl: site.publicUrl,
    DevPortalHost: new URL(site.publicUrl).host,
    ConfirmUrl: `${site.publicUrl}${link?.path ?? '/'}?${query}`,
    ConfirmQuery: query,
    LinkValidFor: link?.validFor ?? '2 days',
  };
  const values: Record<string, unknown> = {};
  for (const p of def.parameters) {
    if (p.name === 'api' || p.name === 'operation') continue; // loop variables
    values[p.name] = known[p.name] ?? `[${p.title}]`;
  }
  return values;
}

export function createEmailTemplateService(deps: WriteDeps & Pick<ServiceDeps, 'organizationName' | 'publicUrl'>) {
  const { store } = deps;

  function definition(rawName: string): TemplateDefinition {
    const name = findTemplateName(rawName);
    if (!name) throw notFound('Email template');
    return TEMPLATES[name];
  }

  async function current(tx: Store, def: TemplateDefinition): Promise<EmailTemplateView> {
    return viewOf(def, await tx.templates.findTemplate(def.name));
  }

  async function save(w: Write, def: TemplateDefinition, content: TemplateContent & { title: string; description: string }): Promise<void> {
    validateTemplate(def, content);
    await w.tx.templates.saveTemplate({
      name: def.name,
      subject: content.subject,
      body: content.body,
      title: content.title,
      description: content.description,
      etag: w.etag(),
      updated_at: w.at,
    });
    await w.record({ audit: { action: 'email-template.updated', detail: { template: def.name } } });
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
    async replace(
      rawName: string,
      input: TemplateInput,
      ifMatch?: string,
      actor: ActorContext = SYSTEM,
    ): Promise<{ template: EmailTemplateView; created: boolean }> {
      const def = definition(rawName);
      const required = parseInput(z.object({ subject: z.string(), body: z.string() }), input);
      return inWrite(deps, actor, async (w) => {
        const before = await current(w.tx, def);
        checkIfMatch(ifMatch, before.etag);
        await save(w, def, {
          subject: required.subject,
          body: required.body,
          title: input.title ?? before.title,
          description: input.description ?? before.description,
        });
        return { template: await current(w.tx, def), created: before.isDefault };
      });
    },

    /** PATCH: only the given fields change. */
    async update(rawName: string, input: TemplateInput, ifMatchHeader: string | undefined, actor: ActorContext = SYSTEM): Promise<EmailTemplateView> {
      requireIfMatch(ifMatchHeader);
      const def = definition(rawName);
      return patchInWrite(deps, actor, ifMatchHeader, {
        load: (tx) => current(tx, def),
        update: async (w, before) => {
          await save(w, def, {
            subject: input.subject ?? before.subject,
            body: input.body ?? before.body,
            title: input.title ?? before.title,
            description: input.description ?? before.description,
          });
          return current(w.tx, def);
        },
      });
    },

    /** DELETE resets to the built-in default (Azure's semantics). False when it was the default already. */
    async reset(rawName: string, ifMatchHeader: string | undefined, actor: ActorContext = SYSTEM): Promise<boolean> {
      const ifMatch = requireIfMatch(ifMatchHeader);
      const def = definition(rawName);
      return inWrite(deps, actor, async (w) => {
        const before = await current(w.tx, def);
        checkIfMatch(ifMatch, before.etag);
        if (before.isDefault) return false;
        await w.tx.templates.deleteTemplate(def.name);
        await w.record({ audit: { action: 'email-template.reset', detail: { template: def.name } } });
        return true;
      });
    },

    /** The values previews and test messages of this template are rendered with. */
    sampleValues(rawName: string): Record<string, unknown> {
      return sampleValues(definition(rawName), deps);
    },

    /**
     * A subject and body as they would be sent, rendered with sample values, without saving
     * anything. Throws the validation error a save would (line and column of each problem).
     */
    preview(rawName: string, content: TemplateContent): RenderedEmail {
      const def = definition(rawName);
      validateTemplate(def, content);
      return renderEmail(content, sampleValues(def, deps));
    },

    /**
     * Sends the template as it is saved now, with sample values, to `recipient`: through the
     * outbox like every email (rendered when it is sent, retried while SMTP is down).
     */
    async sendTest(rawName: string, recipient: string, actor: ActorContext): Promise<void> {
      const def = definition(rawName);
      const to = recipient.trim();
      if (to === '') throw invalidField('to', 'is required');
      if (to.length > EMAIL_MAX || !isEmailAddress(to)) throw invalidField('to', 'is not a valid email address');
      await inWrite(deps, actor, async (w) => {
        await w.tx.outbox.enqueueEmail({
          id: deps.ids.next(),
          template: def.name,
          userId: null,
          recipient: to,
          params: { ...sampleValues(def, deps), [TEST_MESSAGE_PARAM]: 'true' },
          at: w.at,
        });
        await w.record({ audit: { action: 'email-template.test-sent', detail: { template: def.name, to } } });
      });
    },
  };
}

export type EmailTemplateService = ReturnType<typeof createEmailTemplateService>;
