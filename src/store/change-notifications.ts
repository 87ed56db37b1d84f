/**
 * PostgreSQL's LISTEN side of the change feed (the NOTIFY is sent by recordChanges in each write's
 * transaction): one dedicated connection per gateway, outside the pool, that wakes the gateway
 * as soon as a write commits. A lost connection is reported; the gateway's slow poll covers the
 * time until it listens again.
 */
import pg from 'pg';
import { CHANNEL_SQL } from './changes-repo.js';

export interface ChangeNotifications {
  /** Calls `onNotice` at each committed change until closed; `onError` hears a lost connection. */
  listen(onNotice: () => void, onError: (error: unknown) => void): Promise<{ close(): Promise<void> }>;
}

export function postgresNotifications(url: string, schema: string | undefined): ChangeNotifications {
  return {
    async listen(onNotice, onError) {
      const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
      client.on('error', onError);
      client.on('notification', () => onNotice());
      await client.connect();
      try {
        const { rows } = await client.query<{ channel: string }>(`select ${CHANNEL_SQL} as channel`);
        await client.query(`LISTEN ${client.escapeIdentifier(rows[0]!.channel)}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      return { close: () => client.end() };
    },
  };
}
