import type { Clock } from '../domain/clock.js';
import type { IdGenerator } from '../domain/ids.js';
import type { Store } from '../store/index.js';
import type { PasswordHasher } from './password-hasher.js';
import type { LinkLifetimes } from '../config.js';

/** What every use case is given; nothing here is created by the services themselves. */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  hasher: PasswordHasher;
  /** Base of every link Tollgate hands out (PUBLIC_URL). */
  publicUrl: string;
  organizationName: string;
  linkLifetimes: LinkLifetimes;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /**
   * Awaited once a write that recorded changes for the gateways has committed, before the write is
   * answered: the gateway in this process applies them (a no-op where none runs, as in the CLI).
   * Never throws: a gateway that cannot catch up logs it and its poll tries again.
   */
  afterChanges: () => Promise<void>;
}
