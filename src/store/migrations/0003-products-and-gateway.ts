import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * APIs and their operations, products (with the APIs they bundle and the groups that see them),
 * subscriptions with their keys, and the change feed the gateways follow.
 */
export function productsAndGatewayMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('apis')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('description', text)
        .addColumn('path', text, (c) => c.notNull())
        .addColumn('service_url', text)
        .addColumn('protocols', text, (c) => c.notNull())
        .addColumn('subscription_required', 'integer', (c) => c.notNull())
        .addColumn('key_header', text, (c) => c.notNull())
        .addColumn('key_query', text, (c) => c.notNull())
        .addColumn('api_type', text, (c) => c.notNull())
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('apis_path').on('apis').column('path').unique().execute();

      await db.schema
        .createTable('api_operations')
        .addColumn('api_id', text, (c) => c.notNull().references('apis.id').onDelete('cascade'))
        .addColumn('id', text, (c) => c.notNull())
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('method', text, (c) => c.notNull())
        .addColumn('url_template', text, (c) => c.notNull())
        .addColumn('description', text)
        .addColumn('template_parameters', text)
        .addColumn('etag', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('api_operations_pk', ['api_id', 'id'])
        .execute();

      await db.schema
        .createTable('products')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('description', text)
        .addColumn('terms', text)
        .addColumn('subscription_required', 'integer', (c) => c.notNull())
        .addColumn('approval_required', 'integer', (c) => c.notNull())
        .addColumn('subscriptions_limit', 'integer')
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('product_apis')
        .addColumn('product_id', text, (c) => c.notNull().references('products.id').onDelete('cascade'))
        .addColumn('api_id', text, (c) => c.notNull().references('apis.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('product_apis_pk', ['product_id', 'api_id'])
        .execute();
      await db.schema.createIndex('product_apis_api').on('product_apis').columns(['api_id', 'product_id']).execute();

      await db.schema
        .createTable('product_groups')
        .addColumn('product_id', text, (c) => c.notNull().references('products.id').onDelete('cascade'))
        .addColumn('group_id', text, (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('product_groups_pk', ['product_id', 'group_id'])
        .execute();
      await db.schema.createIndex('product_groups_group').on('product_groups').columns(['group_id', 'product_id']).execute();

      await db.schema
        .createTable('subscriptions')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('owner_id', text)
        /** '/products/{id}', '/apis/{id}', '/apis' (all APIs) or '/' (the service). */
        .addColumn('scope', text, (c) => c.notNull())
        .addColumn('display_name', text)
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('state_comment', text)
        .addColumn('allow_tracing', 'integer')
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('start_date', text)
        .addColumn('expiration_date', text)
        .addColumn('end_date', text)
        .addColumn('notification_date', text)
        /** AES-256-GCM of each key (listSecrets decrypts), and an HMAC-SHA256 of it that the gateway looks keys up by. */
        .addColumn('primary_key_sealed', text, (c) => c.notNull())
        .addColumn('secondary_key_sealed', text, (c) => c.notNull())
        .addColumn('primary_key_lookup', text, (c) => c.notNull().unique())
        .addColumn('secondary_key_lookup', text, (c) => c.notNull().unique())
        .addColumn('etag', text, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('subscriptions_owner').on('subscriptions').columns(['owner_id', 'id']).execute();
      await db.schema.createIndex('subscriptions_scope').on('subscriptions').columns(['scope', 'id']).execute();

      // Every change the gateway must see: it polls for rows past the last sequence number it read.
      const seq =
        dialect === 'postgres'
          ? db.schema.createTable('change_feed').addColumn('seq', 'bigserial', (c) => c.primaryKey())
          : db.schema.createTable('change_feed').addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
      await seq
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('entity', text, (c) => c.notNull())
        .addColumn('entity_id', text, (c) => c.notNull())
        .execute();
    },
  };
}
