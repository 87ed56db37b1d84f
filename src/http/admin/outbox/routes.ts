/** Outbox: every email with its state, attempts and last error; retry a dead one. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerOutboxPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
