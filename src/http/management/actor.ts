/**
 * Who made a management call, for the audit log: the key that authenticated it, from the client's
 * address. The plugin's authentication hook records it; routes pass `actorOf(request)` to services.
 */
import type { FastifyRequest } from 'fastify';
import type { ActorContext } from '../../services/audit.js';

const actors = new WeakMap<FastifyRequest, ActorContext>();

export function setActor(request: FastifyRequest, keyId: string): void {
  actors.set(request, { actor: `key:${keyId}`, ip: request.ip });
}

export function actorOf(request: FastifyRequest): ActorContext {
  return actors.get(request) ?? { actor: 'anonymous', ip: request.ip };
}
