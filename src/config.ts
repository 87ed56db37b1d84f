/**
 * Configuration from environment variables, validated once at startup. A bad value stops the
 * process with a message that names the variable, never with a stack trace.
 */
import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { parseDatabaseUrl } from './store/database.js';
import { DEFAULT_LIMITS, type ListenerLimits } from './listener/limits.js';

export interface Config {
  port: number;
  gatewayPort: number;
  host: string;
  databaseUrl: string;
  serviceName: string;
  /** The bootstrap management key, if one is configured. */
  adminKey: string | undefined;
  /** TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD: the first administrator of a new instance. */
  firstAdmin: { email: string; password: string } | undefined;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  organizationName: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long each kind of emailed link works, in milliseconds. */
  linkLifetimes: LinkLifetimes;
  /** Portal sessions end after this much inactivity, or this long after sign-in, whichever is first. */
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** How long the gateway waits for a backend before answering 504. */
  gatewayTimeoutMs: number;
  /** How long change-feed rows are kept (CHANGE_FEED_RETENTION_MINUTES, default 60); a gateway away longer loads everything again. */
  changeFeedRetentionMs: number;
  /** Where developers call APIs through the gateway (GATEWAY_PUBLIC_URL, default http://localhost:$GATEWAY_PORT). */
  gatewayPublicUrl: string;
  /** Timeouts and connection cap of the listener on PORT (HEADERS_TIMEOUT_MS, ...). */
  httpLimits: ListenerLimits;
  /** ... and of the gateway's listener (GATEWAY_HEADERS_TIMEOUT_MS, ...). */
  gatewayLimits: ListenerLimits;
  /** GATEWAY_WORKERS: how many processes `tollgate gateway` runs on GATEWAY_PORT (default: one per CPU). */
  gatewayWorkers: number;
  /** REDIS_URL: where rate-limit and quota counters live when several gateway nodes share them (undefined: in each process). */
  redisUrl: string | undefined;
  /** REDIS_UNAVAILABLE: what a limit does while Redis cannot be reached: let calls through (default) or refuse them with 503. */
  redisUnavailable: 'allow' | 'refuse';
  /** Traffic recording for the reports and the usage pages (ANALYTICS=on|off, ANALYTICS_*). */
  analytics: AnalyticsConfig;
  /** METRICS_PORT: where Prometheus scrapes /metrics (undefined: no metrics listener). */
  metricsPort: number | undefined;
  /** TOLLGATE_ACCESS_LOG=1: one info log line per gateway request (never a key). */
  accessLog: boolean;
  /** TOLLGATE_NODE_NAME: this node's name in metrics and logs (default: the host name). */
  nodeName: string;
  /** IMPORT_LINKS: whether API imports may fetch `-link` definitions: on (any http(s) URL, as Azure), public (no internal addresses), off. */
  importLinks: 'on' | 'public' | 'off';
}

export interface AnalyticsConfig {
  enabled: boolean;
  /** How often a gateway node writes what it counted (ANALYTICS_FLUSH_SECONDS, default 5); a node that dies loses at most this much. */
  flushMs: number;
  /** How long per-minute aggregates are kept (ANALYTICS_RETENTION_DAYS, default 90). */
  retentionMs: number;
  /** At most this many individual requests kept per second per node for byRequest (ANALYTICS_REQUEST_LOG_PER_SECOND, default 50; 0: none). */
  requestLogPerSecond: number;
  /** How long those requests are kept (ANALYTICS_REQUEST_LOG_RETENTION_DAYS, default 7). */
  requestLogRetentionMs: number;
}

export interface LinkLifetimes {
  invitation: number;
  signup: number;
  passwordReset: number;
  emailChange: number;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MINUTE = 60 * 1000;

const SERVICE_NAME = /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

const port = z.coerce.number().int().min(0).max(65535);
const hours = z.coerce.number().positive().max(24 * 365);
const minutes = z.coerce.number().positive().max(60 * 24 * 365);
const TEN_MINUTES = 10 * MINUTE;
const headersTimeout = z.coerce.number().int().min(100).max(TEN_MINUTES);
/** 0 turns the limit off (the gateway's long uploads); otherwise at least the headers timeout, as Node requires. */
const requestTimeout = z.coerce.number().int().min(0).max(24 * HOUR);
const keepAliveTimeout = z.coerce.number().int().min(100).max(TEN_MINUTES);
const maxConnections = z.coerce.number().int().min(1).max(1_000_000);
/** More processes than this only contend for the CPUs; a cap also keeps a typo from forking hundreds. */
export const MAX_GATEWAY_WORKERS = 4 * availableParallelism();
export const GATEWAY_WORKERS_RULE = `must be a whole number from 1 to ${MAX_GATEWAY_WORKERS} (4 per CPU)`;
const workers = z
  .string()
  .trim()
  .regex(/^\d+$/, GATEWAY_WORKERS_RULE)
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_GATEWAY_WORKERS, GATEWAY_WORKERS_RULE);
const optional = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

const schema = z
  .object({
    PORT: port.default(8080),
    GATEWAY_PORT: port.default(8000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .default('sqlite:./data/tollgate.db')
      .refine((v) => {
        try {
          parseDatabaseUrl(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be sqlite:<path> or postgres://...'),
    TOLLGATE_SERVICE_NAME: z
      .string()
      .min(1)
      .max(50)
      .regex(SERVICE_NAME, 'must start with a letter and hold only letters, digits and inner hyphens')
      .default('tollgate'),
    TOLLGATE_ADMIN_KEY: z.preprocess(
      optional,
      z.string().min(24, 'must be at least 24 characters (use `tollgate keys generate` for a random one)').optional(),
    ),
    TOLLGATE_ADMIN_EMAIL: z.preprocess(optional, z.string().regex(ADDRESS, 'must be an email address').optional()),
    // Not trimmed: a password may start or end with a space.
    TOLLGATE_ADMIN_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    PUBLIC_URL: z.preprocess(
      optional,
      z
        .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
        .optional(),
    ),
    SMTP_URL: z.preprocess(
      optional,
      z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587' }).optional(),
    ),
    MAIL_FROM: z.preprocess(
      optional,
      z
        .string()
        .refine((v) => ADDRESS.test(v) || /^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(v), 'must be an address, or "Name <address>"')
        .optional(),
    ),
    TOLLGATE_ORGANIZATION_NAME: z.preprocess(optional, z.string().max(200).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TOLLGATE_INVITATION_LINK_HOURS: hours.default(48),
    TOLLGATE_SIGNUP_LINK_HOURS: hours.default(48),
    TOLLGATE_RESET_LINK_MINUTES: minutes.default(60),
    TOLLGATE_EMAIL_CHANGE_LINK_HOURS: hours.default(48),
    TOLLGATE_SESSION_IDLE_MINUTES: minutes.default(30),
    TOLLGATE_SESSION_ABSOLUTE_HOURS: hours.default(12),
    GATEWAY_PUBLIC_URL: z.preprocess(optional, z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
    GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(10 * 60 * 1000).default(30_000),
    CHANGE_FEED_RETENTION_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(60),
    HEADERS_TIMEOUT_MS: headersTimeout.default(DEFAULT_LIMITS.http.headersTimeoutMs),
    REQUEST_TIMEOUT_MS: requestTimeout.default(DEFAULT_LIMITS.http.requestTimeoutMs),
    KEEP_ALIVE_TIMEOUT_MS: keepAliveTimeout.default(DEFAULT_LIMITS.http.keepAliveTimeoutMs),
    MAX_CONNECTIONS: maxConnections.default(DEFAULT_LIMITS.http.maxConnections),
    GATEWAY_HEADERS_TIMEOUT_MS: headersTimeout.default(DEFAULT_LIMITS.gateway.headersTimeoutMs),
    GATEWAY_REQUEST_TIMEOUT_MS: requestTimeout.default(DEFAULT_LIMITS.gateway.requestTimeoutMs),
    GATEWAY_KEEP_ALIVE_TIMEOUT_MS: keepAliveTimeout.default(DEFAULT_LIMITS.gateway.keepAliveTimeoutMs),
    GATEWAY_MAX_CONNECTIONS: maxConnections.default(DEFAULT_LIMITS.gateway.maxConnections),
    GATEWAY_WORKERS: z.preprocess(optional, workers.optional()),
    REDIS_URL: z.preprocess(optional, z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' }).optional()),
    REDIS_UNAVAILABLE: z.preprocess(optional, z.enum(['allow', 'refuse'], { error: 'must be allow (let calls through) or refuse (answer 503)' }).default('allow')),
    ANALYTICS: z.preprocess(optional, z.enum(['on', 'off'], { error: 'must be on or off' }).default('on')),
    ANALYTICS_FLUSH_SECONDS: z.coerce.number().min(0.05).max(300).default(5),
    ANALYTICS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    ANALYTICS_REQUEST_LOG_PER_SECOND: z.coerce.number().int().min(0).max(10_000).default(50),
    ANALYTICS_REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    METRICS_PORT: z.preprocess(optional, port.optional()),
    TOLLGATE_ACCESS_LOG: z.preprocess(optional, z.enum(['0', '1', 'true', 'false', 'on', 'off'], { error: 'must be 1 or 0' }).default('0')),
    TOLLGATE_NODE_NAME: z.preprocess(optional, z.string().max(100).regex(/^[A-Za-z0-9._-]+$/, 'must hold only letters, digits, dots, hyphens and underscores').optional()),
    IMPORT_LINKS: z.preprocess(optional, z.enum(['on', 'public', 'off'], { error: 'must be on (fetch any http(s) link), public (no internal addresses) or off' }).default('on')),
  })
  .superRefine((e, ctx) => {
    for (const prefix of ['', 'GATEWAY_'] as const) {
      const request = e[`${prefix}REQUEST_TIMEOUT_MS`];
      if (request !== 0 && request < e[`${prefix}HEADERS_TIMEOUT_MS`]) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}REQUEST_TIMEOUT_MS`], message: `must be 0 (no limit) or at least ${prefix}HEADERS_TIMEOUT_MS` });
      }
    }
  });

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.TOLLGATE_ADMIN_EMAIL === undefined) !== (e.TOLLGATE_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD must be set together (or neither)');
  }
  return {
    port: e.PORT,
    gatewayPort: e.GATEWAY_PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    serviceName: e.TOLLGATE_SERVICE_NAME,
    adminKey: e.TOLLGATE_ADMIN_KEY,
    firstAdmin: e.TOLLGATE_ADMIN_EMAIL && e.TOLLGATE_ADMIN_PASSWORD !== undefined ? { email: e.TOLLGATE_ADMIN_EMAIL, password: e.TOLLGATE_ADMIN_PASSWORD } : undefined,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    organizationName: e.TOLLGATE_ORGANIZATION_NAME ?? 'Tollgate',
    logLevel: e.LOG_LEVEL,
    linkLifetimes: {
      invitation: e.TOLLGATE_INVITATION_LINK_HOURS * HOUR,
      signup: e.TOLLGATE_SIGNUP_LINK_HOURS * HOUR,
      passwordReset: e.TOLLGATE_RESET_LINK_MINUTES * MINUTE,
      emailChange: e.TOLLGATE_EMAIL_CHANGE_LINK_HOURS * HOUR,
    },
    sessionIdleMs: e.TOLLGATE_SESSION_IDLE_MINUTES * MINUTE,
    sessionAbsoluteMs: e.TOLLGATE_SESSION_ABSOLUTE_HOURS * HOUR,
    gatewayTimeoutMs: e.GATEWAY_TIMEOUT_MS,
    changeFeedRetentionMs: e.CHANGE_FEED_RETENTION_MINUTES * MINUTE,
    gatewayPublicUrl: (e.GATEWAY_PUBLIC_URL ?? `http://localhost:${e.GATEWAY_PORT}`).replace(/\/+$/, ''),
    httpLimits: {
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
    gatewayLimits: {
      headersTimeoutMs: e.GATEWAY_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.GATEWAY_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.GATEWAY_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.GATEWAY_MAX_CONNECTIONS,
    },
    gatewayWorkers: e.GATEWAY_WORKERS ?? availableParallelism(),
    redisUrl: e.REDIS_URL,
    redisUnavailable: e.REDIS_UNAVAILABLE,
    analytics: {
      enabled: e.ANALYTICS === 'on',
      flushMs: Math.round(e.ANALYTICS_FLUSH_SECONDS * 1000),
      retentionMs: e.ANALYTICS_RETENTION_DAYS * DAY,
      requestLogPerSecond: e.ANALYTICS_REQUEST_LOG_PER_SECOND,
      requestLogRetentionMs: e.ANALYTICS_REQUEST_LOG_RETENTION_DAYS * DAY,
    },
    metricsPort: e.METRICS_PORT,
    accessLog: ['1', 'true', 'on'].includes(e.TOLLGATE_ACCESS_LOG),
    nodeName: e.TOLLGATE_NODE_NAME ?? hostname(),
    importLinks: e.IMPORT_LINKS,
  };
}

/** `tollgate gateway --workers`, by GATEWAY_WORKERS's rule: the count, or undefined if `value` breaks it. */
export function parseGatewayWorkers(value: string): number | undefined {
  const parsed = workers.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
