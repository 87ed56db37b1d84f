import { loadConfig } from '../config.js';
import { createApp } from '../app.js';
import { MANAGEMENT_PREFIX } from '../http/management/plugin.js';

export async function startCommand(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const app = await createApp(config);
  const { url, gatewayUrl, adminSetupUrl, metricsPort } = await app.listen();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  // Any subscription id and resource group name are accepted (and echoed back in resource ids).
  const base = MANAGEMENT_PREFIX.replace(':subscriptionId', '{any}')
    .replace(':resourceGroupName', '{any}')
    .replace(':serviceName', config.serviceName);
  const example = `${url}${base.replace('{any}', 'sub1').replace('{any}', 'rg1')}/users?api-version=2024-05-01`;
  const hasKeys = (await app.services.keys.list()).some((k) => k.revokedAt === null);

  const lines = [
    '',
    `Tollgate is running (started in ${Date.now() - startedAt} ms)`,
    `  Developer portal ${url}/  (links in emails use ${config.publicUrl})`,
    `  Admin UI         ${url}/admin  (administrators only)`,
    `  Management API   ${url}${base}`,
    `  Gateway          ${gatewayUrl}/{api path}/...  (developers call APIs here, with their subscription key)`,
    `  Analytics        ${url}/admin/analytics  (reports: ${url}${base}/reports/byApi?...)`,
    `  Health           ${url}/healthz, ${url}/readyz`,
    `  Metrics          ${metricsPort !== undefined ? `http://${host}:${metricsPort}/metrics` : 'off (set METRICS_PORT to serve /metrics for Prometheus)'}`,
    `  Database         ${app.database.description}`,
    `  Email            ${config.smtpUrl ? 'delivered through SMTP_URL' : 'no SMTP_URL: emails wait in the outbox table until it is set'}`,
    '',
  ];
  if (adminSetupUrl) {
    lines.push(
      'No administrator can sign in yet. Create the first one with this one-time link (valid for one hour):',
      `  ${adminSetupUrl}`,
      '(or set TOLLGATE_ADMIN_EMAIL and TOLLGATE_ADMIN_PASSWORD before starting; a restart prints a new link)',
      '',
    );
  }
  if (!config.adminKey && !hasKeys) {
    lines.push(
      'Next: create a management key, then call the API with it:',
      '  npm run tollgate -- keys create --name admin',
      `  curl -H "Authorization: Bearer <key>" "${example}"`,
      '(or set TOLLGATE_ADMIN_KEY before starting; `npm run tollgate -- keys generate` prints a random one)',
    );
  } else {
    lines.push(
      'Next: call the API with your management key, for example:',
      `  curl -H "Authorization: Bearer ${config.adminKey ? '$TOLLGATE_ADMIN_KEY' : '<key>'}" "${example}"`,
    );
  }
  lines.push('Stop with Ctrl+C.', '');
  process.stdout.write(lines.join('\n') + '\n');

  const stop = async (signal: string) => {
    process.stdout.write(`\n${signal} received: shutting down\n`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
