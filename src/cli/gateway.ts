import { loadConfig } from '../config.js';
import { createGatewayNode } from '../gateway-node.js';

/** `tollgate gateway`: serves only the gateway, for more gateway nodes next to `tollgate start`. */
export async function gatewayCommand(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const node = await createGatewayNode(config);
  const { gatewayUrl } = await node.listen();
  process.stdout.write(
    [
      '',
      `Tollgate gateway node is running (started in ${Date.now() - startedAt} ms)`,
      `  Gateway          ${gatewayUrl}/{api path}/...`,
      `  Database         ${node.database.description} (follows its change feed; manage APIs and keys through \`tollgate start\`)`,
      'Stop with Ctrl+C.',
      '',
    ].join('\n') + '\n',
  );
  const stop = async (signal: string) => {
    process.stdout.write(`\n${signal} received: shutting down\n`);
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
