import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

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
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
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
