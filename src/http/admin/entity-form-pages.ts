/**
 * The "new X" and "edit X" pages of the entities the admin UI manages the same way (a group, a
 * product, an API): the form (GET), and its POST, which calls the service and shows the form again
 * with the service's errors next to the fields, or goes to the entity's page with a notice. An
 * edit posts the ETag the form was shown with, so a change made meanwhile is not overwritten.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FormState } from '../web/components.js';
import { page } from '../web/face.js';
import { formOf, type FormFields } from '../web/form.js';
import type { HtmlValue, SafeHtml } from '../web/html.js';
import type { AdminContext } from './context.js';
import { attempt, etagOf, formPage } from './forms.js';
import type { SectionId } from './layout.js';
import type { AdminNotice } from './notices.js';
import { redirectWithNotice, seg } from './render.js';

export interface CreatePage<T, V extends Record<string, string>> {
  /** Where the form is, and where it posts to (`/admin/products/new`). */
  path: string;
  title: string;
  section: SectionId;
  trail: SafeHtml;
  intro?: HtmlValue;
  /** Field name → id of its input, for the error summary's links. */
  ids: Readonly<Record<string, string>>;
  fields: (state: FormState) => HtmlValue;
  submit: string;
  cancel: string;
  /** What the empty form shows. */
  initial: FormState['values'];
  /** What was typed (shown again with the errors). */
  valuesOf: (form: FormFields) => V;
  /** The service's error targets → the form's field names. */
  targets: Readonly<Record<string, string>>;
  create: (values: V, request: FastifyRequest) => Promise<T>;
  /** Where the new entity's page is, and what it says there. */
  created: (entity: T) => { location: string; notice: AdminNotice };
}

export function registerCreatePage<T, V extends Record<string, string>>(app: FastifyInstance, ctx: AdminContext, spec: CreatePage<T, V>): void {
  const show = (request: FastifyRequest, reply: Parameters<typeof formPage>[2], state: FormState, status?: number) =>
    formPage(ctx, request, reply, {
      title: spec.title,
      section: spec.section,
      status,
      trail: spec.trail,
      intro: spec.intro,
      state,
      ids: spec.ids,
      action: spec.path,
      fields: spec.fields(state),
      submit: spec.submit,
      cancel: spec.cancel,
    });

  app.get(spec.path, page(), async (request, reply) => show(request, reply, { values: spec.initial, errors: {} }));

  app.post(spec.path, page(), async (request, reply) => {
    const values = spec.valuesOf(formOf(request.body));
    const result = await attempt(() => spec.create(values, request), values, spec.targets);
    if (!result.ok) return show(request, reply, result.state, 400);
    const { location, notice } = spec.created(result.value);
    return redirectWithNotice(reply, location, notice);
  });
}

export interface EditPage<E extends { id: string; displayName: string; etag: string }, V extends Record<string, string>> {
  /** The entities' list (`/admin/products`); an entity's page is `${base}/${id}`. */
  base: string;
  section: SectionId;
  load: (id: string) => Promise<E>;
  trail: (entity: E) => SafeHtml;
  /** A page shown instead of the form, for an entity that cannot be edited (a system group). */
  readOnly?: (entity: E, request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
  ids: Readonly<Record<string, string>>;
  fields: (state: FormState) => HtmlValue;
  /** What the form shows first: the entity as it is. */
  valuesOfEntity: (entity: E) => V;
  valuesOf: (form: FormFields) => V;
  targets: Readonly<Record<string, string>>;
  update: (entity: E, values: V, etag: string | undefined, request: FastifyRequest) => Promise<unknown>;
  saved: AdminNotice;
}

export function registerEditPage<E extends { id: string; displayName: string; etag: string }, V extends Record<string, string>>(
  app: FastifyInstance,
  ctx: AdminContext,
  spec: EditPage<E, V>,
): void {
  const entityPath = (entity: E) => `${spec.base}/${seg(entity.id)}`;
  const show = (request: FastifyRequest, reply: FastifyReply, entity: E, state: FormState, etag: string | undefined, status?: number) =>
    formPage(ctx, request, reply, {
      title: `Edit ${entity.displayName}`,
      section: spec.section,
      status,
      trail: spec.trail(entity),
      state,
      ids: spec.ids,
      action: `${entityPath(entity)}/edit`,
      etag,
      fields: spec.fields(state),
      submit: 'Save changes',
      cancel: entityPath(entity),
    });

  app.get<{ Params: { id: string } }>(`${spec.base}/:id/edit`, page(), async (request, reply) => {
    const entity = await spec.load(request.params.id);
    return spec.readOnly?.(entity, request, reply) ?? show(request, reply, entity, { values: spec.valuesOfEntity(entity), errors: {} }, entity.etag);
  });

  app.post<{ Params: { id: string } }>(`${spec.base}/:id/edit`, page(), async (request, reply) => {
    const entity = await spec.load(request.params.id);
    const form = formOf(request.body);
    const values = spec.valuesOf(form);
    const etag = etagOf(form);
    const result = await attempt(() => spec.update(entity, values, etag, request), values, spec.targets);
    if (!result.ok) return show(request, reply, entity, result.state, etag, 400);
    return redirectWithNotice(reply, entityPath(entity), spec.saved);
  });
}
