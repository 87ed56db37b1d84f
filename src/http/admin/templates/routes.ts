/**
 * Email templates: the list of the 14 templates, editing one (subject and body) with a preview
 * rendered with sample values, resetting it to its default (after a confirmation page), and
 * sending a test message through the outbox.
 *
 * The preview is a sandboxed iframe (`sandbox` without any allowance: no script, no form, an
 * opaque origin) named `template-preview`, whose document comes from our own endpoint with a
 * policy of its own that allows the email's inline styles (preview-frame.ts): GET
 * /admin/templates/{name}/preview-frame renders the saved template, POST renders the form's
 * subject and body. The Preview button posts the form there (`formtarget`), without JavaScript;
 * the script does the same while the text is typed. The edit page keeps the admin policy, plus
 * frames from our own origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import type { EmailTemplateView } from '../../../services/email-templates.js';
import { csrfInput, hidden } from '../../web/components.js';
import { field, formOf } from '../../web/form.js';
import { sentence } from '../../web/form-errors.js';
import { CONTENT_SECURITY_POLICY_WITH_SCRIPT } from '../../web/headers.js';
import { html, type SafeHtml } from '../../web/html.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { adminMessage } from '../render.js';
import { confirmPage } from '../forms.js';
import { dataTable, notice, pageHead, redirectWithNotice, sendAdminPage, stateBadge } from '../render.js';
import { actorOf, formToken, sessionOf } from '../../web/request-state.js';
import { PREVIEW_FRAME_NAME, previewDocument, problemDocument, sendPreviewFrame } from './preview-frame.js';

/** The edit page's policy: the admin UI's, plus frames from our own origin (the preview). */
export const TEMPLATE_EDIT_CSP = `${CONTENT_SECURITY_POLICY_WITH_SCRIPT}; frame-src 'self'`;

interface EditState {
  subject: string;
  body: string;
  etag: string;
  /** Problems per field ('subject', 'body', 'to'), and for the whole form. */
  errors: Record<string, string[]>;
  message?: string | undefined;
  to: string;
  /** The form's text is not what is saved (a refused save): the preview shows the saved template. */
  unsaved?: boolean | undefined;
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

function previewPanel(state: EditState, t: EmailTemplateView): SafeHtml {
  return html`<section class="panel template-preview" aria-labelledby="preview-heading">
  <h2 id="preview-heading">Preview</h2>
  <p class="hint">Rendered with sample values${
    state.unsaved ? ', from the saved template (your text is not saved)' : ''
  }. The Preview button shows the text in the form, without saving it.</p>
  <p id="template-preview-status" class="preview-status" role="status" aria-live="polite"></p>
  <iframe id="template-preview-frame" name="${PREVIEW_FRAME_NAME}" class="preview-frame" title="Preview of the ${t.title} email" sandbox src="${templatePath(t)}/preview-frame"></iframe>
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
    <form method="post" action="${path}" data-live-preview novalidate>
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
        <button type="submit" class="button secondary" formaction="${path}/preview-frame" formtarget="${PREVIEW_FRAME_NAME}">Preview</button>
        ${!t.isDefault && html`<a class="button danger" href="${path}/reset">Reset to default</a>`}
      </div>
    </form>
  </section>
  ${previewPanel(state, t)}
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

  function sendEdit(request: FastifyRequest, reply: FastifyReply, t: EmailTemplateView, state: EditState, status = 200): FastifyReply {
    return sendAdminPage(ctx, request, reply, {
      title: `${Object.keys(state.errors).length > 0 || state.message ? 'Error: ' : ''}${t.title}`,
      section: 'templates',
      status,
      policy: TEMPLATE_EDIT_CSP,
      main: html`${notice(request)}${editPage(t, state, formToken(request))}`,
    });
  }

  function savedState(request: FastifyRequest, t: EmailTemplateView): EditState {
    return {
      subject: t.subject,
      body: t.body,
      etag: t.etag,
      errors: {},
      to: sessionOf(request).user.email,
    };
  }

  const nameOf = (request: FastifyRequest) => (request.params as { name: string }).name;

  app.get('/admin/templates', page(), async (request, reply) => {
    const page = await templates.list({ skip: 0, top: 100 });
    return sendAdminPage(ctx, request, reply, {
      title: 'Email templates',
      section: 'templates',
      main: html`${pageHead('Email templates')}
${notice(request)}
<p>Every email Tollgate sends is rendered from one of these templates. Edit one to change the next emails of its kind; reset it to go back to Tollgate's default.</p>
${dataTable({
  caption: `${page.count} email templates`,
  captionClass: '',
  columns: ['Template', 'Subject', 'Status'],
  rows: page.items.map(
    (t) => html`<tr>
      <th scope="row"><a href="${templatePath(t)}">${t.title}</a><br><code class="muted">${t.name}</code></th>
      <td>${t.subject}</td>
      <td>${t.isDefault ? stateBadge('default', 'Default') : stateBadge('customised', 'Customised')}</td>
    </tr>`,
  ),
  scroll: false,
})}`,
    });
  });

  app.get('/admin/templates/:name', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    return sendEdit(request, reply, t, savedState(request, t));
  });

  // Save (the Preview button posts to the preview frame instead).
  app.post('/admin/templates/:name', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const form = formOf(request.body);
    const typed = { subject: field(form, 'subject'), body: lf(field(form, 'body')) };
    const state: EditState = {
      ...typed,
      etag: field(form, 'etag'),
      errors: {},
      to: sessionOf(request).user.email,
      unsaved: true,
    };
    try {
      await templates.replace(t.name, typed, state.etag || undefined, actorOf(request));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.kind === 'precondition-failed') {
        return sendEdit(request, reply, t, { ...state, message: 'Someone else changed this template meanwhile. Reload the page to see their version; your text was not saved.' }, 412);
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
        },
        400,
      );
    }
    return redirectWithNotice(reply, templatePath(t), 'template-saved');
  });

  // The preview frame's document: the saved template (the frame's src), or the form's text (the
  // Preview button and the live preview post the form, _csrf included, to the frame).
  function previewFrame(reply: FastifyReply, name: string, content: { subject: string; body: string }): FastifyReply {
    try {
      return sendPreviewFrame(reply, previewDocument(templates.preview(name, content)));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      // A template that is not valid yet is an answer, not a failed request: the frame shows why.
      const labels: Record<string, string> = { subject: 'Subject: ', body: 'Body: ' };
      const messages = error.details.length > 0 ? error.details.map((d) => `${labels[d.target ?? ''] ?? ''}${sentence(d.message)}`) : [sentence(error.message)];
      return sendPreviewFrame(reply, problemDocument(messages));
    }
  }

  app.get('/admin/templates/:name/preview-frame', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    return previewFrame(reply, t.name, t);
  });

  app.post('/admin/templates/:name/preview-frame', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const form = formOf(request.body);
    return previewFrame(reply, t.name, { subject: field(form, 'subject'), body: lf(field(form, 'body')) });
  });

  app.post('/admin/templates/:name/test', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const to = field(formOf(request.body), 'to');
    try {
      await templates.sendTest(t.name, to, actorOf(request));
    } catch (error) {
      if (!(error instanceof AppError) || error.kind !== 'validation') throw error;
      const { errors, others } = errorsByField(error, ['to']);
      return sendEdit(request, reply, t, { ...savedState(request, t), to, errors, message: others.length > 0 ? others.join(' ') : 'The test message was not sent.' }, 400);
    }
    return redirectWithNotice(reply, templatePath(t), 'test-sent');
  });

  app.get('/admin/templates/:name/reset', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const path = templatePath(t);
    if (t.isDefault) {
      return adminMessage(ctx, request, reply, {
        title: `Reset ${t.title}`,
        message: "This template is already Tollgate's default: there is nothing to reset.",
        status: 200,
        back: path,
      });
    }
    return confirmPage(ctx, request, reply, {
      title: `Reset ${t.title}`,
      question: `Reset ${t.title} to its default?`,
      section: 'templates',
      name: 'Reset to default',
      explanation: html`<p>The subject and body you edited are replaced by Tollgate's default, for every email of this kind from now on. This cannot be undone.</p>`,
      action: `${path}/reset`,
      etag: t.etag,
      button: 'Reset to default',
      cancel: path,
    });
  });

  app.post('/admin/templates/:name/reset', page(), async (request, reply) => {
    const t = await templates.get(nameOf(request));
    const etag = field(formOf(request.body), 'etag');
    const reset = await templates.reset(t.name, etag || '*', actorOf(request));
    return redirectWithNotice(reply, templatePath(t), reset ? 'template-reset' : 'template-default');
  });
}
