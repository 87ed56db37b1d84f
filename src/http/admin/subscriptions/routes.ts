/** Subscriptions: list with filters; approve, reject (with a reason), suspend, reactivate, cancel. */
import type { FastifyInstance } from 'fastify';
import type { AdminContext } from '../context.js';

export function registerSubscriptionPages(_app: FastifyInstance, _ctx: AdminContext): void {
  // Not built yet.
}
