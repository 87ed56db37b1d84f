import { loadConfig } from '../config.js';
import { prepareDatabase } from '../app.js';

export async function migrateCommand(): Promise<void> {
  const config = loadConfig();
  const { database } = await prepareDatabase(config);
  process.stdout.write(`Database is up to date: ${database.description}\n`);
  await database.close();
}
