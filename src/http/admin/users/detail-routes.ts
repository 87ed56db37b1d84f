/**
 * One user's page (`/admin/users/{id}`) and its group memberships; the account actions (block,
 * activate, delete, reset or set the password, resend the invitation) are in action-routes.ts.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../domain/errors.js';
import { field, formOf } from '../../web/form.js';
import { sentence } from '../../web/form-errors.js';
import type { AdminContext } from '../context.js';
import { page } from '../../web/face.js';
import { redirectWithNotice } from '../render.js';
import { actorOf } from '../../web/request-state.js';
import { registerUserActionRoutes } from './action-routes.js';
import { sendUserPage, userIdParam, userPath } from './detail-view.js';

export function registerUserDetailPages(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/admin/users/:id', page(), async (request, reply) => sendUserPage(ctx, request, reply, userIdParam(request)));

  app.post('/admin/users/:id/groups/add', page(), async (request, reply) => {
    const id = userIdParam(request);
    const groupId = field(formOf(request.body), 'groupId').trim();
    if (groupId === '') {
      return sendUserPage(ctx, request, reply, id, { group: { values: {}, errors: { groupId: 'Choose a group.' } } }, 400);
    }
    let result: Awaited<ReturnType<typeof ctx.groups.addMember>>;
    try {
      result = await ctx.groups.addMember(groupId, id, actorOf(request));
    } catch (error) {
      // A group that is gone, or one that takes no members (Guests): said next to the select.
      if (!(error instanceof AppError) || (error.kind !== 'validation' && !(error.kind === 'not-found' && error.message.startsWith('Group')))) throw error;
      return sendUserPage(ctx, request, reply, id, { group: { values: { groupId }, errors: { groupId: sentence(error.message) } } }, 400);
    }
    return redirectWithNotice(reply, userPath(id), result.created ? 'member-added' : 'member-already');
  });

  app.post('/admin/users/:id/groups/:groupId/remove', page(), async (request, reply) => {
    const id = userIdParam(request);
    const groupId = String((request.params as Record<string, unknown>).groupId ?? '');
    await ctx.groups.get(groupId);
    const removed = await ctx.groups.removeMember(groupId, id, actorOf(request));
    return redirectWithNotice(reply, userPath(id), removed ? 'member-removed' : 'member-not');
  });

  registerUserActionRoutes(app, ctx);
}
