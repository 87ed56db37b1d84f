/** Instance-wide values generated once, such as signing keys. */
import type { Executor } from './database.js';

export async function getSetting(ex: Executor, name: string): Promise<string | undefined> {
  const row = await ex.selectFrom('service_settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Stores `value` unless the setting exists already; returns the stored value either way. */
export async function ensureSetting(ex: Executor, name: string, value: string): Promise<string> {
  await ex.insertInto('service_settings').values({ name, value }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await getSetting(ex, name))!;
}
