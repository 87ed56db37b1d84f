import type { Kysely, Migration } from 'kysely';

/** The change feed is pruned by age (src/store/changes-repo.ts pruneChanges): find old rows without a scan. */
export const changeFeedRetentionMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('change_feed_at').on('change_feed').columns(['at', 'seq']).execute();
  },
};
