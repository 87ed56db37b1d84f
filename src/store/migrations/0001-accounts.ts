import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * Users, identities, groups, memberships, the email outbox, management keys and service settings.
 * Text columns are byte-ordered on both databases (PostgreSQL columns use COLLATE "C", SQLite's
 * default is BINARY) so that `$filter` comparisons and paging order are the same on both.
 */
export function accountsMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('first_name', text, (c) => c.notNull())
        .addColumn('last_name', text, (c) => c.notNull())
        .addColumn('email', text, (c) => c.notNull())
        .addColumn('email_lc', text, (c) => c.notNull())
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('note', text)
        .addColumn('registration_date', text, (c) => c.notNull())
        .addColumn('password_hash', text)
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('updated_at', text, (c) => c.notNull())
        .execute();
      // One live account per email; a closed (deleted) account frees its address.
      await db.schema
        .createIndex('users_email_lc_live')
        .on('users')
        .column('email_lc')
        .unique()
        .where(sql<boolean>`state <> 'deleted'`)
        .execute();
      await db.schema.createIndex('users_email_lc').on('users').column('email_lc').execute();
      await db.schema.createIndex('users_state_id').on('users').columns(['state', 'id']).execute();

      await db.schema
        .createTable('user_identities')
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('provider', text, (c) => c.notNull())
        .addColumn('provider_id', text, (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_identities_pk', ['user_id', 'provider', 'provider_id'])
        .execute();

      await db.schema
        .createTable('groups')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('display_name', text, (c) => c.notNull())
        .addColumn('description', text)
        .addColumn('type', text, (c) => c.notNull())
        .addColumn('external_id', text)
        .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('etag', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('group_members')
        .addColumn('group_id', text, (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('user_id', text, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('group_members_user').on('group_members').columns(['user_id', 'group_id']).execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('template', text, (c) => c.notNull())
        .addColumn('user_id', text)
        .addColumn('recipient', text, (c) => c.notNull())
        .addColumn('params', text, (c) => c.notNull())
        .addColumn('state', text, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', text)
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('next_attempt_at', text, (c) => c.notNull())
        .addColumn('sent_at', text)
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();

      await db.schema
        .createTable('management_keys')
        .addColumn('id', text, (c) => c.primaryKey())
        .addColumn('name', text, (c) => c.notNull())
        .addColumn('secret_hash', text, (c) => c.notNull())
        .addColumn('created_at', text, (c) => c.notNull())
        .addColumn('revoked_at', text)
        .execute();

      await db.schema
        .createTable('service_settings')
        .addColumn('name', text, (c) => c.primaryKey())
        .addColumn('value', text, (c) => c.notNull())
        .execute();
    },
  };
}
