/** What the management API's routes are given: the services they call and the instance's settings. */
import type { ApiService } from '../../services/apis.js';
import type { ApiExportService } from '../../services/api-export.js';
import type { EmailTemplateService } from '../../services/email-templates.js';
import type { GroupService } from '../../services/groups.js';
import type { ManagementKeyService } from '../../services/management-keys.js';
import type { NamedValueService } from '../../services/named-values.js';
import type { PolicyService } from '../../services/policies.js';
import type { ProductService } from '../../services/products.js';
import type { QuotaService } from '../../services/quotas.js';
import type { ReportService } from '../../services/reports.js';
import type { SubscriptionService } from '../../services/subscriptions/management.js';
import type { UserService } from '../../services/users.js';

export interface ManagementDeps {
  users: UserService;
  groups: GroupService;
  keys: ManagementKeyService;
  templates: EmailTemplateService;
  apis: ApiService;
  /** Export links (GET /apis/{id}?export=true) and their downloads (src/http/export-routes.ts). */
  apiExport: ApiExportService;
  products: ProductService;
  subscriptions: SubscriptionService;
  policies: PolicyService;
  namedValues: NamedValueService;
  quotas: QuotaService;
  reports: ReportService;
  serviceName: string;
  publicUrl: string;
  /** IMPORT_LINKS: how `-link` imports are fetched (src/services/api-import.ts). */
  importLinks: 'on' | 'public' | 'off';
}
