import { type Kysely, type Migration } from 'kysely';

/**
 * Sessions know which site they belong to: a developer-portal session never opens the admin UI,
 * and an admin session (its own cookie, Path=/admin) is not a portal session.
 */
export const adminSessionsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('sessions')
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo('portal'))
      .execute();
  },
};
