/** What the portal's route modules share: the services every page may need, and the face's settings. */
import type { AccountService } from '../../services/accounts.js';
import type { SessionService } from '../../services/sessions.js';
import type { WebFace } from '../web/face.js';

export interface PortalContext {
  accounts: AccountService;
  sessions: SessionService;
  organizationName: string;
  face: WebFace;
}
