/** Users: the list (search, filter, sorting, paging, bulk actions), Add, Invite, and each user's page with its actions. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';
import { registerUserListPages } from './list-routes.js';
import { registerUserDetailPages } from './detail-routes.js';

export function registerUserPages(app: FastifyInstance, ctx: AdminContext): void {
  registerUserListPages(app, ctx);
  registerUserDetailPages(app, ctx);
}
