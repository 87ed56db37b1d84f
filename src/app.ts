/**
 * Composition root: opens the database, migrates and seeds it, builds the services and the HTTP
 * server. Tests use it exactly as `tollgate start` does, with their own clock and database.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { createIdGenerator } from './domain/ids.js';
import { migrateToLatest, openDatabase, type OpenDatabase, type OpenOptions } from './store/database.js';
import { createStore, type Store } from './store/index.js';
import { createArgon2Hasher, type PasswordHasher } from './services/password-hasher.js';
import { createUserService, type UserService } from './services/users.js';
import { createGroupService, type GroupService } from './services/groups.js';
import { createApiExportService } from './services/api-export.js';
import { createApiImportPreviewService } from './services/api-import-preview.js';
import { createTryItService } from './services/try-it.js';
import { createManagementKeyService, type ManagementKeyService } from './services/management-keys.js';
import { seed } from './services/seed.js';
import { createTokenService, type TokenService } from './services/tokens.js';
import { createSessionService, type SessionService } from './services/sessions.js';
import { createAttemptLimiter, type AttemptLimiter } from './services/attempts.js';
import { createAccountService, type AccountService } from './services/accounts.js';
import { createEmailTemplateService, type EmailTemplateService } from './services/email-templates.js';
import { createApiService, type ApiService } from './services/apis.js';
import { createProductService, type ProductService } from './services/products.js';
import { createSubscriptionCore } from './services/subscriptions/core.js';
import { createPolicyService, type PolicyService } from './services/policies.js';
import { createNamedValueService, type NamedValueService } from './services/named-values.js';
import { createReportService, type ReportService } from './services/reports.js';
import { createQuotaService, databaseQuotaCounters, type QuotaCounterPort, type QuotaService } from './services/quotas.js';
import { createProductLimits, type ProductLimits } from './services/product-limits.js';
import { createSubscriptionService, type SubscriptionService } from './services/subscriptions/management.js';
import { createAdminSubscriptionService, type AdminSubscriptionService } from './services/subscriptions/admin.js';
import { createPortalSubscriptionService, type PortalSubscriptionService } from './services/subscriptions/portal.js';
import { createAuditLogService, type AuditLogService } from './services/audit-log.js';
import { createOutboxService, type OutboxService } from './services/outbox.js';
import { createUserDirectory, type UserDirectory } from './services/user-directory.js';
import { createUsageService, type UsageService } from './services/usage.js';
import { createAdminSetupService, type AdminSetupService } from './services/admin-setup.js';
import type { ServiceDeps } from './services/deps.js';
import { AppError } from './domain/errors.js';
import { ConfigError } from './config.js';
import { buildHttpServer } from './http/server.js';
import { createGateway, type Gateway } from './gateway/index.js';
import { deploymentCounters } from './gateway/counters/deployment.js';
import type { Counters } from './gateway/counters/types.js';
import { createEmailPreparer } from './services/email-delivery.js';
import { createOutboxWorker, type OutboxWorker } from './mail/outbox-worker.js';
import { createFeedRetention, type FeedRetention } from './services/feed-retention.js';
import { createTrafficRetention, type TrafficRetention } from './services/traffic-retention.js';
import { deploymentRecorder } from './gateway/analytics/deployment.js';
import { createSmtpTransport, type MailTransport } from './mail/smtp-transport.js';
import { createNodeOps } from './ops/node-ops.js';
import { healthRoutes, readinessChecks } from './ops/health.js';

export interface AppOptions {
  clock?: Clock;
  /** Another transport than SMTP_URL's (tests). */
  transport?: MailTransport;
  /** Worker poll interval (default 1 s). */
  outboxPollMs?: number;
  /** Where log lines go (default stdout); tests read them to prove no secret is ever logged. */
  logStream?: NodeJS.WritableStream;
  hasher?: PasswordHasher;
  database?: OpenOptions;
}

export interface Services {
  users: UserService;
  groups: GroupService;
  keys: ManagementKeyService;
  tokens: TokenService;
  sessions: SessionService;
  attempts: AttemptLimiter;
  accounts: AccountService;
  templates: EmailTemplateService;
  apis: ApiService;
  products: ProductService;
  /** The management API's face of subscriptions; the admin UI's and the portal's are beside it. */
  subscriptions: SubscriptionService;
  adminSubscriptions: AdminSubscriptionService;
  portalSubscriptions: PortalSubscriptionService;
  policies: PolicyService;
  namedValues: NamedValueService;
  quotas: QuotaService;
  reports: ReportService;
  /** A product's limits in words, and a subscription's calls left (the portal's and the admin UI's). */
  productLimits: ProductLimits;
  adminSetup: AdminSetupService;
  auditLog: AuditLogService;
  outbox: OutboxService;
  userDirectory: UserDirectory;
  /** Recorded traffic as charts and tables (the Analytics page, user, product and portal usage). */
  usage: UsageService;
}

export interface App {
  config: Config;
  database: OpenDatabase;
  store: Store;
  services: Services;
  http: FastifyInstance;
  /** The gateway's own listener on GATEWAY_PORT. */
  gateway: Gateway;
  /** Delivers the outbox; absent without SMTP_URL (emails then wait in the outbox). */
  outbox: OutboxWorker | undefined;
  /** Prunes the change feed past its retention. */
  feedRetention: FeedRetention;
  trafficRetention: TrafficRetention;
  /**
   * Starts listening on HOST:PORT and HOST:GATEWAY_PORT; returns the bound addresses (0 picks a
   * free port), and while no administrator can sign in, a new one-time link to create the first.
   */
  listen(): Promise<{ url: string; port: number; gatewayUrl: string; gatewayPort: number; metricsPort?: number; adminSetupUrl?: string }>;
  close(): Promise<void>;
}

/** Opens, migrates and seeds the database: everything that must happen before anything else. */
export async function prepareDatabase(config: Config, options: AppOptions = {}): Promise<{ database: OpenDatabase; store: Store }> {
  const database = await openDatabase(config.databaseUrl, options.database);
  try {
    await migrateToLatest(database.db, database.dialect);
    const store = createStore(database.db, database.dialect);
    await seed(store, options.clock ?? systemClock);
    return { database, store };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Builds every service, once, over one store: the composition root the app and the CLI share. The
 * faces (HTTP, CLI) are handed the services they use; no face builds one of its own.
 */
export function buildServices(
  config: Config,
  store: Store,
  options: {
    clock: Clock;
    hasher?: PasswordHasher | undefined;
    afterChanges?: () => Promise<void>;
    /** The counters quotas are read and set through (the gateway's); by default the quota_counters table. */
    quotaCounters?: QuotaCounterPort;
  },
): { deps: ServiceDeps; services: Services } {
  const clock = options.clock;
  const deps: ServiceDeps = {
    store,
    clock,
    ids: createIdGenerator(clock),
    hasher: options.hasher ?? createArgon2Hasher(),
    publicUrl: config.publicUrl,
    organizationName: config.organizationName,
    linkLifetimes: config.linkLifetimes,
    sessionIdleMs: config.sessionIdleMs,
    sessionAbsoluteMs: config.sessionAbsoluteMs,
    afterChanges: options.afterChanges ?? (() => Promise.resolve()),
  };
  // Every service is built here, once; the faces are handed the ones they use.
  const subscriptionCore = createSubscriptionCore(deps);
  const users = createUserService(deps, subscriptionCore);
  const tokens = createTokenService(deps);
  const sessions = createSessionService(deps);
  const attempts = createAttemptLimiter(deps);
  const adminSetup = createAdminSetupService(deps, { tokens, sessions });
  const policies = createPolicyService(deps);
  const namedValues = createNamedValueService(deps, policies.references);
  const quotas = createQuotaService(deps, options.quotaCounters ?? databaseQuotaCounters(store, () => clock.now()));
  const services: Services = {
    users,
    groups: createGroupService(deps),
    keys: createManagementKeyService(deps, attempts, config.adminKey),
    tokens,
    sessions,
    attempts,
    accounts: createAccountService(deps, { users, sessions, tokens, attempts, subscriptions: subscriptionCore }),
    templates: createEmailTemplateService(deps),
    apis: createApiService(deps, subscriptionCore),
    products: createProductService(deps, subscriptionCore),
    subscriptions: createSubscriptionService(deps, subscriptionCore),
    adminSubscriptions: createAdminSubscriptionService(deps, subscriptionCore),
    portalSubscriptions: createPortalSubscriptionService(deps, subscriptionCore),
    policies,
    namedValues,
    quotas,
    reports: createReportService(deps, { gatewayUrl: config.gatewayPublicUrl }),
    productLimits: createProductLimits(deps, { policies, quotas }),
    adminSetup,
    auditLog: createAuditLogService(deps),
    outbox: createOutboxService(deps),
    userDirectory: createUserDirectory(store),
    usage: createUsageService(deps),
  };
  return { deps, services };
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const { database, store } = await prepareDatabase(config, options);
  // The gateway is made after the services (it logs through the HTTP server's logger), so a write
  // reaches it through this reference; before it exists nothing is served that could be stale.
  let gateway: Gateway | undefined;
  const afterChanges = () => gateway?.catchUp() ?? Promise.resolve();
  // Likewise the limit counters: /quotas reads and sets what the gateway counts (in this process, or in Redis).
  let counters: Counters | undefined;
  const quotaCounters: QuotaCounterPort = {
    quotaPeriods: (key) => counters!.quotaPeriods(key),
    setQuota: (key, values, windowStart) => counters!.setQuota(key, values, windowStart),
  };
  const { deps, services } = buildServices(config, store, { clock, hasher: options.hasher, afterChanges, quotaCounters });
  const { users, sessions, adminSetup, tokens } = services;
  if (config.firstAdmin) {
    try {
      await adminSetup.setUpFromEnvironment(config.firstAdmin.email, config.firstAdmin.password);
    } catch (error) {
      await database.close();
      if (error instanceof AppError) {
        const detail = error.details[0];
        const name = detail?.target === 'password' ? 'TOLLGATE_ADMIN_PASSWORD' : 'TOLLGATE_ADMIN_EMAIL';
        throw new ConfigError(`Invalid configuration:\n  ${name}: ${detail?.message ?? error.message}`);
      }
      throw error;
    }
  }
  const apiExport = createApiExportService(deps, services.apis);
  const http = await buildHttpServer({
    logLevel: config.logLevel,
    logStream: options.logStream,
    limits: config.httpLimits,
    management: {
      users,
      groups: services.groups,
      keys: services.keys,
      templates: services.templates,
      apis: services.apis,
      apiExport,
      products: services.products,
      subscriptions: services.subscriptions,
      policies: services.policies,
      namedValues: services.namedValues,
      quotas: services.quotas,
      reports: services.reports,
      serviceName: config.serviceName,
      publicUrl: config.publicUrl,
      importLinks: config.importLinks,
    },
    portal: {
      accounts: services.accounts,
      sessions,
      products: services.products,
      apis: services.apis,
      subscriptions: services.portalSubscriptions,
      productLimits: services.productLimits,
      usage: services.usage,
      apiExport,
      tryIt: createTryItService({ subscriptions: services.portalSubscriptions, products: services.products, attempts: services.attempts, clock, gatewayUrl: config.gatewayPublicUrl }),
      gatewayUrl: config.gatewayPublicUrl,
      publicUrl: config.publicUrl,
      organizationName: config.organizationName,
    },
    admin: {
      accounts: services.accounts,
      sessions,
      adminSetup,
      users,
      userDirectory: services.userDirectory,
      groups: services.groups,
      keys: services.keys,
      templates: services.templates,
      apis: services.apis,
      apiExport,
      apiImports: createApiImportPreviewService({ apis: services.apis, importLinks: { mode: config.importLinks } }),
      products: services.products,
      subscriptions: services.adminSubscriptions,
      policies: services.policies,
      productLimits: services.productLimits,
      namedValues: services.namedValues,
      auditLog: services.auditLog,
      outbox: services.outbox,
      usage: services.usage,
      publicUrl: config.publicUrl,
      gatewayUrl: config.gatewayPublicUrl,
      organizationName: config.organizationName,
    },
  });

  counters = deploymentCounters({ redisUrl: config.redisUrl, redisUnavailable: config.redisUnavailable, store, logger: http.log, clock });
  const ops = createNodeOps({ config, logger: http.log });
  const recorder = deploymentRecorder(config.analytics, store, http.log);
  gateway = createGateway({
    store,
    clock,
    logger: http.log,
    notifications: database.notifications,
    upstreamTimeoutMs: config.gatewayTimeoutMs,
    limits: config.gatewayLimits,
    counters,
    recorder,
    sinks: ops.sinks,
  });
  ops.watch({ gateway, recorder, outbox: { store, clock } });
  const served = gateway;
  await http.register(async (scope) => healthRoutes(scope, readinessChecks({ database, gateway: served })));
  const transport = options.transport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : undefined);
  const outbox = transport
    ? createOutboxWorker({
        store,
        clock,
        transport,
        from: config.mailFrom ?? `"${config.organizationName.replace(/["\\]/g, '')}" <no-reply@${new URL(config.publicUrl).hostname}>`,
        prepare: createEmailPreparer(deps, { templates: services.templates, tokens }),
        logger: http.log,
        ...(options.outboxPollMs ? { pollIntervalMs: options.outboxPollMs } : {}),
      })
    : undefined;

  const feedRetention = createFeedRetention(deps, {
    retentionMs: config.changeFeedRetentionMs,
    onError: (error) => http.log.warn({ err: error }, 'pruning the change feed failed; trying again later'),
  });

  const trafficRetention = createTrafficRetention(deps, {
    retentionMs: config.analytics.retentionMs,
    requestLogRetentionMs: config.analytics.requestLogRetentionMs,
    onError: (error) => http.log.warn({ err: error }, 'pruning recorded traffic failed; trying again later'),
  });

  return {
    config,
    database,
    store,
    services,
    http,
    outbox,
    feedRetention,
    trafficRetention,
    gateway,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const { port: gatewayPort } = await gateway.listen(config.gatewayPort, config.host);
      const metricsPort = await ops.listen();
      feedRetention.start();
      trafficRetention.start();
      if (outbox) outbox.start();
      else {
        const waiting = await store.outbox.countPending();
        http.log.warn({ waiting }, 'no SMTP_URL: emails are kept in the outbox and not sent until SMTP_URL is set');
      }
      const address = http.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      const setup = await adminSetup.issueSetupToken();
      const adminSetupUrl = setup ? `${config.publicUrl}/admin/setup?token=${encodeURIComponent(setup.token)}` : undefined;
      return {
        url: `http://${host}:${port}`,
        port,
        gatewayUrl: `http://${host}:${gatewayPort}`,
        gatewayPort,
        ...(metricsPort !== undefined ? { metricsPort } : {}),
        ...(adminSetupUrl ? { adminSetupUrl } : {}),
      };
    },
    async close() {
      await feedRetention.stop();
      await trafficRetention.stop();
      await outbox?.stop();
      transport?.close();
      await ops.close();
      await gateway.close();
      await http.close();
      await database.close();
    },
  };
}
