import { generateBootstrapKey, type ManagementKeyService } from '../services/management-keys.js';
import { withServices } from './with-services.js';

const withKeys = <T>(fn: (keys: ManagementKeyService) => Promise<T>): Promise<T> => withServices((s) => fn(s.keys));

export async function keysCreate(options: { name: string }): Promise<void> {
  const name = options.name.trim();
  if (name.length === 0 || name.length > 200) throw new Error('--name must be 1 to 200 characters');
  const { key, info } = await withKeys((keys) => keys.create(name));
  process.stdout.write(
    [
      `Created management key ${info.id} ("${info.name}").`,
      '',
      `  ${key}`,
      '',
      'Copy it now: it is not stored and cannot be shown again. Use it as',
      '  Authorization: Bearer <key>',
      '',
    ].join('\n'),
  );
}

export async function keysList(): Promise<void> {
  const list = await withKeys((keys) => keys.list());
  if (list.length === 0) {
    process.stdout.write('No management keys. Create one with: npm run tollgate -- keys create --name <name>\n');
    return;
  }
  for (const k of list) {
    process.stdout.write(`${k.id}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  created ${k.createdAt}  ${k.name}\n`);
  }
}

export async function keysRevoke(id: string): Promise<void> {
  await withKeys((keys) => keys.revoke(id));
  process.stdout.write(`Revoked management key ${id}.\n`);
}

export async function keysGenerate(): Promise<void> {
  process.stdout.write(`${generateBootstrapKey()}\n`);
}
