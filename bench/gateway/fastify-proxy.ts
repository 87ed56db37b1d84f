/**
 * Child process: the reference proxy, Fastify 5 + @fastify/reply-from with its defaults (an undici
 * pool to the upstream), no logging and no checks at all: every request is forwarded as it came.
 * Usage: `fastify-proxy.js <upstream origin>`; reports `{ port }`.
 */
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
import { failChild, serveChild } from './child.js';

async function main(): Promise<void> {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: fastify-proxy.js <upstream origin>');
  const app = Fastify({ logger: false });
  await app.register(replyFrom, { base: upstream });
  app.all('/*', (request, reply) => reply.from(request.url));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  serveChild({ port }, () => app.close());
}

main().catch(failChild);
