import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';

/**
 * The one id generator. Ids look like Azure API Management's (24 lowercase hex digits: 4 bytes of
 * seconds since the epoch, then 8 random bytes), so they sort roughly by creation time and are
 * unguessable enough not to leak counts.
 */
export interface IdGenerator {
  next(): string;
}

export function createIdGenerator(clock: Clock): IdGenerator {
  return {
    next() {
      const seconds = Math.floor(clock.now().getTime() / 1000);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(seconds >>> 0);
      return head.toString('hex') + randomBytes(8).toString('hex');
    },
  };
}

/** An opaque entity tag, new on every write (base64 of 8 random bytes, like Azure's rowversion ETags). */
export function newEtag(): string {
  return randomBytes(8).toString('base64');
}
