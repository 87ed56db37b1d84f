/**
 * The developer portal: server-rendered pages on PORT, working without JavaScript.
 * (Pages are added by the portal work; this registers nothing yet.)
 */
import type { FastifyInstance } from 'fastify';
import type { AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';

export interface PortalDeps {
  accounts: AccountService;
  sessions: SessionService;
  /** PUBLIC_URL: cookies are Secure when it is https. */
  publicUrl: string;
  organizationName: string;
}

export async function portalPlugin(app: FastifyInstance, deps: PortalDeps): Promise<void> {
  void app;
  void deps;
}
