/**
 * The email template preview's frame: the rendered email (subject on top) as a document of its
 * own, answered by /admin/templates/{name}/preview-frame and shown in the edit page's
 * `<iframe name="template-preview" sandbox>`. Emails style themselves inline, so this document
 * has its own strict policy that allows inline styles (and nothing else: no script, no request, no
 * form, sandboxed even when opened on its own); the edit page keeps the admin policy and only
 * allows frames from our own origin.
 */
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../../../domain/escape-html.js';
import type { RenderedEmail } from '../../../mail/render/index.js';
import { applyNoStore } from '../../web/headers.js';

/** The frame's document policy: inline styles, data: images, framed by our own pages only. */
export const TEMPLATE_PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'; sandbox";

/** The frame's name: the Preview button's (and the live preview's) `formtarget`. */
export const PREVIEW_FRAME_NAME = 'template-preview';

const BAR_STYLE =
  'margin:0;padding:8px 12px;background:#ffffff;border-bottom:1px solid #d1d5db;font:14px/1.4 system-ui,sans-serif;color:#111827;overflow-wrap:anywhere';

/** The rendered email with its subject as a bar at the top of its body. */
export function previewDocument(email: RenderedEmail): string {
  const bar = `<p style="${BAR_STYLE}"><strong>Subject:</strong> ${escapeHtml(email.subject)}</p>`;
  const body = /<body\b[^>]*>/i.exec(email.html);
  const document = body
    ? `${email.html.slice(0, body.index + body[0].length)}\n${bar}${email.html.slice(body.index + body[0].length)}`
    : `${bar}\n${email.html}`;
  return /^\s*<!doctype/i.test(document) ? document : `<!DOCTYPE html>\n${document}`;
}

/** What the frame shows for a template that does not render (yet): why, line and column first. */
export function problemDocument(messages: readonly string[]): string {
  const items = messages.map((m) => `<li>${escapeHtml(m)}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>No preview</title></head>
<body style="margin:0;padding:16px;font:14px/1.5 system-ui,sans-serif;color:#7a271a;background:#fef3f2">
<p style="margin:0 0 8px"><strong>Preview not updated: the template is not valid.</strong></p>
<ul style="margin:0;padding-left:20px">${items}</ul>
</body>
</html>
`;
}

/**
 * Sends a frame document. The admin plugin's headers forbid framing (`frame-ancestors 'none'`,
 * `X-Frame-Options: DENY`); this document is framed by our own edit page, so it says so instead.
 */
export function sendPreviewFrame(reply: FastifyReply, document: string): FastifyReply {
  reply.header('content-security-policy', TEMPLATE_PREVIEW_CSP);
  reply.header('x-frame-options', 'SAMEORIGIN');
  reply.header('x-content-type-options', 'nosniff');
  applyNoStore(reply);
  return reply.status(200).type('text/html; charset=utf-8').send(document);
}
