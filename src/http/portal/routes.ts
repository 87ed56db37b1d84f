/** Registering a portal route with its guard (see RoutePolicy). */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { RoutePolicy } from './context.js';

export type PortalHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

export function route(app: FastifyInstance, method: 'GET' | 'POST', url: string, policy: RoutePolicy, handler: PortalHandler): void {
  const options: RouteOptions = { method, url, handler };
  options.config = { portal: policy } as RouteOptions['config'];
  app.route(options);
}
