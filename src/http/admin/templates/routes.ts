/**
 * Email templates: the list of the 14 templates, editing one (subject and body) with a preview
 * rendered with sample values, resetting it to its default (after a confirmation page), and
 * sending a test message through the outbox.
 *
 * The preview works without JavaScript (the form's Preview button re-renders the page with it);
 * with the script, it follows the typing (POST /admin/templates/{name}/preview answers JSON). The
 * rendered email is shown in a sandboxed iframe (`sandbox` without any allowance: no script, no
 * form, an opaque origin) through `srcdoc`, escaped like every attribute. A srcdoc document takes
 * its parent's Content-Security-Policy; email bodies use inline styles only, so the edit page's
 * policy also allows inline styles, and fetch to our own origin (the live preview); nothing else
 * changes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail } from '../../../domain/errors.js';
import type { RenderedEmail } from '../../../mail/render/index.js';
import type { EmailTemplateView } from '../../../services/email-templates.js';
import { csrfInput, hidden } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { sentence } from '../../web/form-errors.js';
import { CONTENT_SECURITY_POLICY_WITH_SCRIPT } from '../../web/headers.js';
import { html, type SafeHtml } from '../../web/html.js';
import { adminRoute, type AdminContext } from '../context.js';
import { notice, pageHead, redirectWithNotice, sendAdminPage, stateBadge } from '../render.js';
import { adminActor, adminFormToken, adminSession } from '../state.js';

/**
 * The edit page's policy: the admin UI's, plus inline styles for the email shown in the preview,
 * and requests to our own origin for the script's live preview.
 */
export const TEMPLATE_EDIT_CSP = CONTENT_SECURITY_POLICY_WITH_SCRIPT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
  "script-src 'self'; ",
  "script-src 'self'; connect-src 'self'; ",
);

interface EditState {
  subject: string;
  body: string;
  etag: string;
  /** Problems per field ('subject', 'body', 'to'), and for the whole form. */
  errors: Record<string, string[]>;
  message?: string | undefined;
  to: string;
  preview: RenderedEmail | undefined;
  /** Why there is no preview. */
  previewProblem?: string | undefined;
  /** The preview is of what was typed, not of what is saved. */
  previewOfTyped: boolean;
}

function templatePath(t: Pick<EmailTemplateView, 'name'>): string {
  return `/admin/templates/${t.name}`;
}

/** Browsers send a textarea's line breaks as CRLF; templates keep LF. */
function lf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

function errorsByField(error: AppError, fields: readonly string[]): { errors: Record<string, string[]>; others: string[] } {
  const errors: Record<string, string[]> = {};
  const others: string[] = [];
  for (const d of error.details) {
    if (d.target !== undefined && fields.includes(d.target)) (errors[d.target] ??= []).push(sentence(d.message));
    else others.push(sentence(d.message));
  }
  if (error.details.length === 0) others.push(sentence(error.message));
  return { errors, others };
}

function fieldErrors(id: string, messages: readonly string[] | undefined): SafeHtml | false {
  if (!messages || messages.length === 0) return false;
  return html`<div class="field-error" id="${id}-error">${
    messages.length === 1 ? html`<p>${messages[0]}</p>` : html`<ul class="template-errors">${messages.map((m) => html`<li>${m}</li>`)}</ul>`
  }</div>`;
}

function summary(state: EditState): SafeHtml | false {
  const labels: Record<string, string> = { subject: 'Subject', body: 'Body', to: 'Send to' };
  const targets: Record<string, string> = { subject: 'template-subject', body: 'template-body', to: 'test-to' };
  const items = Object.entries(state.errors).flatMap(([name, messages]) =>
    messages.map((m) => html`<li><a href="#${targets[name] ?? 'template-body'}">${labels[name] ?? name}: ${m}</a></li>`),
  );
  if (items.length === 0 && !state.message) return false;
  return html`<div class="alert error" role="alert">
  <p>${state.message ?? 'The template was not saved. Please correct the following:'}</p>
  ${items.length > 0 && html`<ul>${items}</ul>`}
</div>`;
}

function previewPanel(state: EditState, name: string): SafeHtml {
  return html`<section class="panel template-preview" aria-labelledby="preview-heading">
  <h2 id="preview-heading">Preview</h2>
  <p class="hint">Rendered with sample values${state.previewOfTyped ? ', from the text in the form (not saved yet)' : ''}.</p>
  <p class="preview-subject"><strong>Subject:</strong> <span id="template-preview-subject">${state.preview?.subject ?? '–'}</span></p>
  <p id="template-preview-status" class="preview-status" role="status" aria-live="polite">${state.previewProblem ?? ''}</p>
  <iframe id="template-preview-frame" class="preview-frame" title="Preview of the ${name} email" sandbox srcdoc="${state.preview?.html ?? ''}"></iframe>
</section>`;
}

function editPage(t: EmailTemplateView, state: EditState, token: string): SafeHtml {
  const path = templatePath(t);
  const subjectError = state.errors.subject;
  const bodyError = state.errors.body;
  const toError = state.errors.to;
  return html`${pageHead(t.title, t.isDefault ? stateBadge('default', 'Default') : stateBadge('customised', 'Customised'))}
<p class="muted"><code>${t.name}</code> · <a href="/admin/templates">All email templates</a></p>
<p>${t.description}</p>
${summary(state)}
<div class="template-editor">
  <section class="panel" aria-labelledby="edit-heading">
    <h2 id="edit-heading">Subject and body</h2>
    <form method="post" action="${path}" data-live-preview="${path}/preview" novalidate>
      ${csrfInput(token)}
      ${hidden('etag', state.etag)}
      <div class="field">
        <label for="template-subject">Subject</label>
        <input id="template-subject" name="subject" type="text" required maxlength="1000" spellcheck="true" value="${state.subject}"${
          subjectError ? html` aria-invalid="true" aria-describedby="template-subject-error"` : ''
        }>
        ${fieldErrors('template-subject', subjectError)}
      </div>
      <div class="field">
        <label for="template-body">Body (XHTML with Velocity: <code>$Name</code>, <code>#if</code>, <code>#foreach</code>)</label>
        <textarea id="template-body" name="body" rows="22" required spellcheck="false" class="template-body"${
          bodyError ? html` aria-invalid="true" aria-describedby="template-body-error"` : ''
        }>
${state.body}</textarea>
        ${fieldErrors('template-body', bodyError)}
      </div>
      <div class="button-row">
        <button type="submit" class="button">Save</button>
        <button type="submit" class="button secondary" name="intent" value="preview">Preview</button>
        ${!t.isDefault && html`<a class="button danger" href="${path}/reset">Reset to default</a>`}
      </div>
    </form>
  </section>
  ${previewPanel(state, t.title)}
</div>
<div class="grid-2">
  <section class="panel" aria-labelledby="variables-heading">
    <h2 id="variables-heading">Variables</h2>
    <dl class="template-variables">
      ${t.parameters.map((p) => html`<dt><code>$${p.name}</code></dt><dd>${p.title}</dd>`)}
    </dl>
  </section>
  <section class="panel" aria-labelledby="test-heading">
    <h2 id="test-heading">Send a test message</h2>
    <p class="hint" id="test-to-hint">Sends the saved template, rendered with the sample values, through the outbox like every email.</p>
    <form method="post" action="${path}/test" novalidate>
      ${csrfInput(token)}
      <div class="field">
        <label for="test-to">Send to</label>
        <input id="test-to" name="to" type="email" autocomplete="email" required maxlength="254" spellcheck="false" autocapitalize="none" value="${
          state.to
        }" aria-describedby="test-to-hint${toError ? ' test-to-error' : ''}"${toError ? html` aria-invalid="true"` : ''}>
        ${fieldErrors('test-to', toError)}
      </div>
      <div class="button-row"><button type="submit" class="button secondary">Send test message</button></div>
    </form>
  </section>
</div>`;
}

export function registerTemplatePages(app: FastifyInstance, ctx: AdminContext): void {
  const { templates } = ctx;

  function previewOf(name: string, content: { subject: string; body: string }): Pick<EditState, 'preview' | 'previewProblem'> {
    try {
      return { preview: templates.preview(name, content) };
    } catch (error) {
      if (error instanceof AppError && error.kind === 'validation') {
        return { preview: undefined, previewProblem: 'No preview: the template is not valid (see the errors above).' };
      }
      throw error;
    }
  }

  function sendEdit(request: FastifyRequest, reply: FastifyReply, t: EmailTemplateView, state: EditState, status = 200): FastifyReply {
    return sendAdminPage(ctx, request, reply, {
      title: `${Object.keys(state.errors).length > 0 || state.message ? 'Error: ' : ''}${t.title}`,
      section: 'templates',
      status,
      main: html`${notice(request)}${editPage(t, state, adminFormToken(request))}`,
    });
  }

  function savedState(request: FastifyRequest, t: EmailTemplateView): EditState {
    return {
      subject: t.subject,
      body: t.body,
      etag: t.etag,
      errors: {},
      to: adminSession(request).user.email,
      previewOfTyped: false,
      ...previewOf(t.name, t),
    };
  }

  const nameOf = (request: FastifyRequest) => (request.params as { name: string }).name;

  /** The edit page's routes: a srcdoc document runs under this page's policy, so the email's inline styles may apply. */
  const editRoute = {
    ...adminRoute(),
    onSend: async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', TEMPLATE_EDIT_CSP);
      return payload;
    },
  };

  app.get('/admin/templates', adminRoute(), async (request, reply) => {
    const page = await templates.list({ skip: 0, top: 100 });
    return sendAdminPage(ctx, request, reply, {
      title: 'Email templates',
      section: 'templates',
      main: html`${pageHead('Email templates')}
${notice(request)}
<p>Every email Tollgate sends is rendered from one of these templates. Edit one to change the next emails of its kind; reset it to go back to Tollgate's default.</p>
<table class="data">
  <caption>${page.count} email templates</caption>
  <thead><tr><th scope="col">Template</th><th scope="col">Subject</th><th scope="col">Status</th></tr></thead>
  <tbody>
    ${page.items.map(
      (t) => html`<tr>
      <th scope="row"><a href="${templatePath(t)}">${t.title}</a><br><code class="muted">${t.name}</code></th>
      <td>${t.subject}</td>
      <td>${t.isDefault ? stateBadge('default', 'Default') : stateBadge('customised', 'Customised')}</td>
    </tr>`,
    )}
  </tbody>
</table>`,
    });
  });

  app.get('/admin/templates/:name', editRoute, async (request, reply) => {
    const t = await templates.get(nameOf(request));
    return sendEdit(request, reply, t, savedState(request, t));
  });

  // Save, or (the Preview button, without JavaScript) show the preview of what was typed.
  app.post('/admin/templates/:name', editRoute, async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const form = formOf(request.body);
    const typed = { subject: field(form, 'subject'), body: lf(field(form, 'body')) };
    const state: EditState = {
      ...typed,
      etag: field(form, 'etag'),
      errors: {},
      to: adminSession(request).user.email,
      preview: undefined,
      previewOfTyped: true,
    };
    try {
      if (field(form, 'intent') === 'preview') {
        state.preview = templates.preview(t.name, typed);
        return sendEdit(request, reply, t, state);
      }
      await templates.replace(t.name, typed, state.etag || undefined, adminActor(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.kind === 'precondition-failed') {
        return sendEdit(request, reply, t, { ...state, message: 'Someone else changed this template meanwhile. Reload the page to see their version; your text was not saved.', previewProblem: 'No preview.' }, 412);
      }
      if (error.kind !== 'validation') throw error;
      const { errors, others } = errorsByField(error, ['subject', 'body']);
      return sendEdit(
        request,
        reply,
        t,
        {
          ...state,
          errors,
          message: others.length > 0 ? `The template was not saved. ${others.join(' ')}` : undefined,
          previewProblem: 'No preview: the template is not valid (see the errors above).',
        },
        400,
      );
    }
    return redirectWithNotice(reply, templatePath(t), `${t.title}: the template was saved.`);
  });

  // The script's live preview: the form's subject and body, rendered; JSON for the script.
  app.post('/admin/templates/:name/preview', adminRoute(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const form = formOf(request.body);
    const typed = { subject: field(form, 'subject'), body: lf(field(form, 'body')) };
    reply.type('application/json; charset=utf-8');
    try {
      const rendered = templates.preview(t.name, typed);
      return reply.send(JSON.stringify({ subject: rendered.subject, html: rendered.html }));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const errors = error.details.map((d: ErrorDetail) => ({ target: d.target ?? null, message: sentence(d.message) }));
      // A template that is not valid yet is an answer, not a failed request: the script shows why.
      return reply.send(JSON.stringify({ errors }));
    }
  });

  app.post('/admin/templates/:name/test', editRoute, async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const to = field(formOf(request.body), 'to');
    try {
      await templates.sendTest(t.name, to, adminActor(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const { errors, others } = errorsByField(error, ['to']);
      return sendEdit(request, reply, t, { ...savedState(request, t), to, errors, message: others.length > 0 ? others.join(' ') : 'The test message was not sent.' }, 400);
    }
    return redirectWithNotice(reply, templatePath(t), `A test message of ${t.title} is on its way to ${to.trim()} (see the outbox).`);
  });

  app.get('/admin/templates/:name/reset', adminRoute(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const path = templatePath(t);
    return sendAdminPage(ctx, request, reply, {
      title: `Reset ${t.title}`,
      section: 'templates',
      main: html`${pageHead(`Reset ${t.title} to its default?`)}
<section class="panel danger" aria-labelledby="reset-heading">
  <h2 id="reset-heading">Reset to default</h2>
  ${
    t.isDefault
      ? html`<p>This template is already Tollgate's default: there is nothing to reset.</p><p><a href="${path}">Back to the template</a></p>`
      : html`<p>The subject and body you edited are replaced by Tollgate's default, for every email of this kind from now on. This cannot be undone.</p>
  <form method="post" action="${path}/reset" class="button-row">
    ${csrfInput(adminFormToken(request))}
    ${hidden('etag', t.etag)}
    <button type="submit" class="button danger">Reset to default</button>
    <a class="button secondary" href="${path}">Cancel</a>
  </form>`
  }
</section>`,
    });
  });

  app.post('/admin/templates/:name/reset', adminRoute(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const etag = field(formOf(request.body), 'etag');
    const reset = await templates.reset(t.name, etag || '*', adminActor(request));
    return redirectWithNotice(reply, templatePath(t), reset ? `${t.title}: reset to the default.` : `${t.title} was already the default.`);
  });
}
