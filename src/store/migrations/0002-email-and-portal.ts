import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * Email templates edited by administrators (a missing row means the built-in default), delivery
 * leases on the outbox, single-use tokens behind email links, portal sessions, sign-in throttling
 * and the audit log.
 */
export function emailAndPortalMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('email_templates')
        .addColumn('name', text, (c) => c.primaryKey())
        .addColumn('subject', text, (c) => c.notNull())
        .addColumn('body', text, (c) => c.notNull())
        .addColumn('title', text)
        .addColumn('description', text)
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .execute();

      // A worker owns a message while lease_until is in the future; a crashed worker's lease runs out.
      await db.schema.alterTable('outbox').addColumn('lease_until', text).execute();
      await db.schema.alterTable('outbox').addColumn('smtp_response', text).execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('purpose', text, (c) => c.notNull())
        .addColumn('token_hash', text, (c) => c.notNull().unique())
        .addColumn('data', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('used_at', text)
        .addColumn('retired_at', text)
        .execute();
      await db.schema.createIndex('tokens_user_purpose').on('tokens').columns(['user_id', 'purpose']).execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', text, (c) => c.primaryKey())
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_secret', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('last_seen_at', text, (c) => c.notNull())
        .addColumn('expires_at', text, (c) => c.notNull())
        .addColumn('ip', text)
        .addColumn('user_agent', text)
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('sign_in_throttle')
        .addColumn('key', text, (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('first_failure_at', text, (c) => c.notNull())
        .addColumn('locked_until', text)
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('at', text, (c) => c.notNull())
        .addColumn('actor', text, (c) => c.notNull())
        .addColumn('action', text, (c) => c.notNull())
        .addColumn('user_id', text)
        .addColumn('ip', text)
        .addColumn('detail', text)
        .execute();
      await db.schema.createIndex('audit_log_user').on('audit_log').columns(['user_id', 'at']).execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
  };
}
