/** Management keys for the REST API: create (shown once), list, revoke. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerKeyPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
