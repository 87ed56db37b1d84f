import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerUserListPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
