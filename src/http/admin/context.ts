/**
 * What the admin UI's route modules share: the services (the same ones the management API uses,
 * built once in src/app.ts: no business rule is written twice, and no page builds a service), the
 * site's settings, and the face the web kit guards it as.
 */
import type { AccountService } from '../../services/accounts.js';
import type { AdminSetupService } from '../../services/admin-setup.js';
import type { ApiService } from '../../services/apis.js';
import type { ApiExportService } from '../../services/api-export.js';
import type { ApiImportPreviewService } from '../../services/api-import-preview.js';
import type { AuditLogService } from '../../services/audit-log.js';
import type { EmailTemplateService } from '../../services/email-templates.js';
import type { GroupService } from '../../services/groups.js';
import type { ManagementKeyService } from '../../services/management-keys.js';
import type { NamedValueService } from '../../services/named-values.js';
import type { PolicyService } from '../../services/policies.js';
import type { ProductLimits } from '../../services/product-limits.js';
import type { OutboxService } from '../../services/outbox.js';
import type { ProductService } from '../../services/products.js';
import type { SessionService } from '../../services/sessions.js';
import type { AdminSubscriptionService } from '../../services/subscriptions/admin.js';
import type { UserDirectory } from '../../services/user-directory.js';
import type { UserService } from '../../services/users.js';
import type { UsageService } from '../../services/usage.js';
import type { WebFace } from '../web/face.js';

export interface AdminDeps {
  accounts: AccountService;
  sessions: SessionService;
  adminSetup: AdminSetupService;
  users: UserService;
  userDirectory: UserDirectory;
  groups: GroupService;
  keys: ManagementKeyService;
  templates: EmailTemplateService;
  apis: ApiService;
  /** An API's OpenAPI document, downloaded from its page. */
  apiExport: ApiExportService;
  /** "Import from OpenAPI": the preview of an import, then applying it. */
  apiImports: ApiImportPreviewService;
  products: ProductService;
  subscriptions: AdminSubscriptionService;
  policies: PolicyService;
  /** A product's limits in words, on its page. */
  productLimits: ProductLimits;
  namedValues: NamedValueService;
  auditLog: AuditLogService;
  outbox: OutboxService;
  /** Recorded traffic: the Analytics page and the usage sections of the user and product pages. */
  usage: UsageService;
  /** PUBLIC_URL: cookies are Secure when it is https; the portal's links. */
  publicUrl: string;
  /** The gateway's public base URL. */
  gatewayUrl: string;
  organizationName: string;
}

export interface AdminContext extends AdminDeps {
  face: WebFace;
}
