import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The admin UI's users list sorts by name, email or registration date (ties by id) and pages
 * through the result: these indexes let both databases read one page in order instead of sorting
 * the whole table. The expressions are the list query's own (src/store/users-repo.ts searchUsers).
 */
export const userListIndexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('users_name_sort').on('users').expression(sql`lower(first_name), lower(last_name), id`).execute();
    await db.schema.createIndex('users_registered_sort').on('users').columns(['registration_date', 'id']).execute();
    await db.schema.createIndex('users_email_sort').on('users').columns(['email_lc', 'id']).execute();
  },
};
