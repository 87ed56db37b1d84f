import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * Policies at the four scopes, named values, and quota counters (kept here when there is no Redis,
 * so a quota survives a gateway restart).
 */
export function policiesMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policies')
        /** '/' (global), '/products/{id}', '/apis/{id}' or '/apis/{id}/operations/{op}': one document per scope. */
        .addColumn('scope_key', text, (c) => c.primaryKey())
        .addColumn('scope', text, (c) => c.notNull())
        .addColumn('product_id', text, (c) => c.references('products.id').onDelete('cascade'))
        .addColumn('api_id', text, (c) => c.references('apis.id').onDelete('cascade'))
        .addColumn('operation_id', text)
        /** The document as the administrator wrote it (format xml), `{{named values}}` left in place. */
        .addColumn('xml', text, (c) => c.notNull())
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addForeignKeyConstraint('policies_operation_fk', ['api_id', 'operation_id'], 'api_operations', ['api_id', 'id'], (cb) =>
          cb.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('policies_api').on('policies').columns(['api_id', 'operation_id']).execute();
      await db.schema.createIndex('policies_product').on('policies').column('product_id').execute();

      await db.schema
        .createTable('named_values')
        .addColumn('id', text, (c) => c.primaryKey())
        /** What policies write between double braces: `{{display_name}}`. Unique, ignoring case. */
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('display_name_lower', text, (c) => c.notNull().unique())
        /** A secret's value is sealed (AES-256-GCM, as subscription keys); a plain one is kept as is. */
        .addColumn('value', text, (c) => c.notNull())
        .addColumn('secret', 'integer', (c) => c.notNull())
        /** JSON array of strings. */
        .addColumn('tags', text, (c) => c.notNull())
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('quota_counters')
        /** The subscription id (quota) or the counter-key value (quota-by-key), with the scope it counts for. */
        .addColumn('counter_key', text, (c) => c.notNull())
        /** Start of the fixed window, ISO 8601; `period_end` likewise (null: the quota never renews). */
        .addColumn('period_start', text, (c) => c.notNull())
        .addColumn('period_end', text)
        .addColumn('calls', 'bigint', (c) => c.notNull())
        .addColumn('kilobytes', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('quota_counters_pk', ['counter_key', 'period_start'])
        .execute();
    },
  };
}
