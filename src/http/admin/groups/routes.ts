/** Groups: list, create, edit, delete custom groups, members; system groups read-only. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerGroupPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
