/** Audit log: searchable by user, actor, action and time. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerAuditPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
