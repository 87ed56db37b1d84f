/** A CLI command's services: the database of DATABASE_URL, prepared, and the app's services over it. */
import { loadConfig } from '../config.js';
import { buildServices, prepareDatabase, type Services } from '../app.js';
import { systemClock } from '../domain/clock.js';

export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { database, store } = await prepareDatabase(config);
  try {
    return await fn(buildServices(config, store, { clock: systemClock }).services);
  } finally {
    await database.close();
  }
}
