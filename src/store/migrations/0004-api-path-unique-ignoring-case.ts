import { sql, type Kysely, type Migration } from 'kysely';

/**
 * API paths are unique without regard to (ASCII) case, as the gateway matches them. The service
 * checks first; this index makes two racing requests unable to both win. lower() folds A-Z alike
 * on SQLite and on PostgreSQL's "C" collation, which is how the service compares.
 */
export const apiPathUniqueIgnoringCase: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`create unique index apis_path_lower on apis (lower(path))`.execute(db);
  },
};
