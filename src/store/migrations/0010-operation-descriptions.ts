import type { Kysely, Migration } from 'kysely';

/**
 * Azure's operation `request` (query parameters, headers, representations) and `responses`, as
 * JSON text: what an OpenAPI import derives, or what a client PUTs; null when there is none.
 * One column per statement: SQLite's ALTER TABLE adds one at a time.
 */
export const operationDescriptionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('api_operations').addColumn('request', 'text').execute();
    await db.schema.alterTable('api_operations').addColumn('responses', 'text').execute();
  },
};
