/** Email templates: list, edit with live preview, reset to default, send a test message. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerTemplatePages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
