import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, MAX_GATEWAY_WORKERS, parseGatewayWorkers } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/listener/limits.js';

describe('configuration from the environment', () => {
  it('has working defaults for a first start', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      gatewayPort: 8000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/tollgate.db',
      serviceName: 'tollgate',
      adminKey: undefined,
      publicUrl: 'http://localhost:8080',
      smtpUrl: undefined,
      organizationName: 'Tollgate',
    });
  });

  it('derives PUBLIC_URL from PORT and drops a trailing slash', () => {
    expect(loadConfig({ PORT: '9090' }).publicUrl).toBe('http://localhost:9090');
    expect(loadConfig({ PUBLIC_URL: 'https://api.example.com/' }).publicUrl).toBe('https://api.example.com');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TOLLGATE_SERVICE_NAME', '1bad'],
    ['TOLLGATE_SERVICE_NAME', 'bad-'],
    ['TOLLGATE_ADMIN_KEY', 'short'],
    ['PUBLIC_URL', 'ftp://x'],
    ['SMTP_URL', 'http://mail'],
    ['MAIL_FROM', 'not an address'],
    ['HEADERS_TIMEOUT_MS', 'soon'],
    ['HEADERS_TIMEOUT_MS', '50'],
    ['GATEWAY_HEADERS_TIMEOUT_MS', '0'],
    ['REQUEST_TIMEOUT_MS', '-1'],
    ['GATEWAY_REQUEST_TIMEOUT_MS', '1.5'],
    ['KEEP_ALIVE_TIMEOUT_MS', '0'],
    ['GATEWAY_KEEP_ALIVE_TIMEOUT_MS', 'forever'],
    ['MAX_CONNECTIONS', '0'],
    ['GATEWAY_MAX_CONNECTIONS', 'lots'],
    ['GATEWAY_WORKERS', '0'],
    ['GATEWAY_WORKERS', 'all'],
    ['GATEWAY_WORKERS', '1.5'],
    ['GATEWAY_WORKERS', '0x2'],
    ['GATEWAY_WORKERS', String(MAX_GATEWAY_WORKERS + 1)],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_UNAVAILABLE', 'ignore'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('gives both listeners timeouts and a connection cap, by default and as configured', () => {
    const c = loadConfig({});
    expect(c.httpLimits).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_024 });
    expect(c.gatewayLimits).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 5_000, maxConnections: 8_192 });
    expect(c.httpLimits).toEqual(DEFAULT_LIMITS.http);
    expect(c.gatewayLimits).toEqual(DEFAULT_LIMITS.gateway);
    const set = loadConfig({
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '4000',
      KEEP_ALIVE_TIMEOUT_MS: '3000',
      MAX_CONNECTIONS: '100',
      GATEWAY_HEADERS_TIMEOUT_MS: '5000',
      GATEWAY_REQUEST_TIMEOUT_MS: '0',
      GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '60000',
      GATEWAY_MAX_CONNECTIONS: '50000',
    });
    expect(set.httpLimits).toEqual({ headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 3_000, maxConnections: 100 });
    expect(set.gatewayLimits).toEqual({ headersTimeoutMs: 5_000, requestTimeoutMs: 0, keepAliveTimeoutMs: 60_000, maxConnections: 50_000 });
  });

  it.each(['', 'GATEWAY_'])('refuses %sREQUEST_TIMEOUT_MS below the headers timeout (Node would throw), naming it', (prefix) => {
    const env = { [`${prefix}HEADERS_TIMEOUT_MS`]: '5000', [`${prefix}REQUEST_TIMEOUT_MS`]: '4000' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(`${prefix}REQUEST_TIMEOUT_MS: must be 0 (no limit) or at least ${prefix}HEADERS_TIMEOUT_MS`);
  });

  it('runs one gateway worker per CPU unless GATEWAY_WORKERS says otherwise, up to 4 per CPU', () => {
    expect(loadConfig({}).gatewayWorkers).toBe(availableParallelism());
    expect(loadConfig({ GATEWAY_WORKERS: '' }).gatewayWorkers).toBe(availableParallelism());
    expect(loadConfig({ GATEWAY_WORKERS: ' 3 ' }).gatewayWorkers).toBe(3);
    expect(MAX_GATEWAY_WORKERS).toBe(4 * availableParallelism());
    expect(loadConfig({ GATEWAY_WORKERS: String(MAX_GATEWAY_WORKERS) }).gatewayWorkers).toBe(MAX_GATEWAY_WORKERS);
    expect(() => loadConfig({ GATEWAY_WORKERS: '0' })).toThrow(`GATEWAY_WORKERS: must be a whole number from 1 to ${MAX_GATEWAY_WORKERS} (4 per CPU)`);
  });

  it('keeps limit counters in each process unless REDIS_URL is set, and lets calls through while Redis is away unless told to refuse', () => {
    expect(loadConfig({})).toMatchObject({ redisUrl: undefined, redisUnavailable: 'allow' });
    expect(loadConfig({ REDIS_URL: ' redis://127.0.0.1:6379/2 ', REDIS_UNAVAILABLE: 'refuse' })).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379/2',
      redisUnavailable: 'refuse',
    });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example.com:6380' }).redisUrl).toBe('rediss://cache.example.com:6380');
  });

  it('reads --workers by the rule of GATEWAY_WORKERS', () => {
    expect(parseGatewayWorkers('1')).toBe(1);
    expect(parseGatewayWorkers(String(MAX_GATEWAY_WORKERS))).toBe(MAX_GATEWAY_WORKERS);
    for (const bad of ['', '0', '-1', '2.5', 'abc', '1e1', String(MAX_GATEWAY_WORKERS + 1)]) expect(parseGatewayWorkers(bad), bad).toBeUndefined();
  });

  it('accepts valid mail settings', () => {
    const c = loadConfig({
      SMTP_URL: 'smtp://user:pass@mail.example.com:587',
      MAIL_FROM: 'Tollgate <noreply@example.com>',
      TOLLGATE_ORGANIZATION_NAME: 'Contoso',
    });
    expect(c.smtpUrl).toBe('smtp://user:pass@mail.example.com:587');
    expect(c.mailFrom).toBe('Tollgate <noreply@example.com>');
    expect(c.organizationName).toBe('Contoso');
  });

  it('refuses a too-short TOLLGATE_ADMIN_KEY, naming the variable but never echoing the secret', () => {
    for (const secret of ['tooshortsecret', 'x'.repeat(23)]) {
      const load = () => loadConfig({ TOLLGATE_ADMIN_KEY: secret });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/TOLLGATE_ADMIN_KEY: must be at least 24 characters/);
      expect(load).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
    }
    // The boundary: 24 characters are enough.
    expect(loadConfig({ TOLLGATE_ADMIN_KEY: 'x'.repeat(24) }).adminKey).toBe('x'.repeat(24));
  });
});
