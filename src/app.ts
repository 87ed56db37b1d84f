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
import { createManagementKeyService, type ManagementKeyService } from './services/management-keys.js';
import { seed } from './services/seed.js';
import { createTokenService, type TokenService } from './services/tokens.js';
import { createSessionService, type SessionService } from './services/sessions.js';
import { createSignInThrottle, type SignInThrottle } from './services/sign-in-throttle.js';
import { createAccountService, type AccountService } from './services/accounts.js';
import { createEmailTemplateService, type EmailTemplateService } from './services/email-templates.js';
import { createApiService, type ApiService } from './services/apis.js';
import { createProductService, type ProductService } from './services/products.js';
import { createSubscriptionService, type SubscriptionService } from './services/subscriptions.js';
import { createAdminSetupService, type AdminSetupService } from './services/admin-setup.js';
import { AppError } from './domain/errors.js';
import { ConfigError } from './config.js';
import { buildHttpServer } from './http/server.js';
import { createGateway, type Gateway } from './gateway/index.js';
import { createEmailPreparer } from './services/email-delivery.js';
import { createOutboxWorker, type OutboxWorker } from './mail/outbox-worker.js';
import { createSmtpTransport, type MailTransport } from './mail/smtp-transport.js';

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

export interface App {
  config: Config;
  database: OpenDatabase;
  store: Store;
  services: {
    users: UserService;
    groups: GroupService;
    keys: ManagementKeyService;
    tokens: TokenService;
    sessions: SessionService;
    throttle: SignInThrottle;
    accounts: AccountService;
    templates: EmailTemplateService;
    apis: ApiService;
    products: ProductService;
    subscriptions: SubscriptionService;
    adminSetup: AdminSetupService;
  };
  http: FastifyInstance;
  /** The gateway's own listener on GATEWAY_PORT. */
  gateway: Gateway;
  /** Delivers the outbox; absent without SMTP_URL (emails then wait in the outbox). */
  outbox: OutboxWorker | undefined;
  /**
   * Starts listening on HOST:PORT and HOST:GATEWAY_PORT; returns the bound addresses (0 picks a
   * free port), and while no administrator can sign in, a new one-time link to create the first.
   */
  listen(): Promise<{ url: string; port: number; gatewayUrl: string; gatewayPort: number; adminSetupUrl?: string }>;
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

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const { database, store } = await prepareDatabase(config, options);
  const deps = {
    store,
    clock,
    ids: createIdGenerator(clock),
    hasher: options.hasher ?? createArgon2Hasher(),
    publicUrl: config.publicUrl,
    organizationName: config.organizationName,
    linkLifetimes: config.linkLifetimes,
    sessionIdleMs: config.sessionIdleMs,
    sessionAbsoluteMs: config.sessionAbsoluteMs,
  };
  const subscriptions = createSubscriptionService(deps);
  const users = createUserService(deps, subscriptions);
  const tokens = createTokenService(deps);
  const sessions = createSessionService(deps);
  const throttle = createSignInThrottle(deps);
  const adminSetup = createAdminSetupService(deps, { tokens, sessions });
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
  const services = {
    users,
    groups: createGroupService(deps),
    keys: createManagementKeyService(deps, config.adminKey),
    tokens,
    sessions,
    throttle,
    accounts: createAccountService(deps, { users, sessions, tokens, throttle, subscriptions }),
    templates: createEmailTemplateService(deps),
    apis: createApiService(deps),
    products: createProductService(deps),
    subscriptions,
    adminSetup,
  };
  const http = await buildHttpServer({
    logLevel: config.logLevel,
    logStream: options.logStream,
    limits: config.httpLimits,
    management: { ...services, serviceName: config.serviceName, publicUrl: config.publicUrl },
    portal: {
      accounts: services.accounts,
      sessions,
      products: services.products,
      apis: services.apis,
      subscriptions: services.subscriptions,
      gatewayUrl: config.gatewayPublicUrl,
      publicUrl: config.publicUrl,
      organizationName: config.organizationName,
    },
    admin: {
      ...services,
      store,
      clock,
      ids: deps.ids,
      publicUrl: config.publicUrl,
      gatewayUrl: config.gatewayPublicUrl,
      organizationName: config.organizationName,
    },
  });

  const gateway = createGateway({ store, db: database.db, clock, logger: http.log, upstreamTimeoutMs: config.gatewayTimeoutMs, limits: config.gatewayLimits });
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

  return {
    config,
    database,
    store,
    services,
    http,
    outbox,
    gateway,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      const { port: gatewayPort } = await gateway.listen(config.gatewayPort, config.host);
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
      return { url: `http://${host}:${port}`, port, gatewayUrl: `http://${host}:${gatewayPort}`, gatewayPort, ...(adminSetupUrl ? { adminSetupUrl } : {}) };
    },
    async close() {
      await outbox?.stop();
      transport?.close();
      await gateway.close();
      await http.close();
      await database.close();
    },
  };
}
