import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../database.js';
import { accountsMigration } from './0001-accounts.js';
import { emailAndPortalMigration } from './0002-email-and-portal.js';
import { productsAndGatewayMigration } from './0003-products-and-gateway.js';
import { apiPathUniqueIgnoringCase } from './0004-api-path-unique-ignoring-case.js';
import { adminSessionsMigration } from './0005-admin-sessions.js';
import { userListIndexesMigration } from './0006-user-list-indexes.js';
import { changeFeedRetentionMigration } from './0007-change-feed-retention.js';
import { policiesMigration } from './0008-policies.js';
import { trafficMigration } from './0009-traffic.js';
import { operationDescriptionsMigration } from './0010-operation-descriptions.js';
import { apiSchemasMigration } from './0011-api-schemas.js';

/**
 * Every migration, in order. Names sort lexically; never rename or edit a released one: add a new
 * file. The same list runs on SQLite and PostgreSQL.
 */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-accounts': accountsMigration(dialect),
        '0002-email-and-portal': emailAndPortalMigration(dialect),
        '0003-products-and-gateway': productsAndGatewayMigration(dialect),
        '0004-api-path-unique-ignoring-case': apiPathUniqueIgnoringCase,
        '0005-admin-sessions': adminSessionsMigration,
        '0006-user-list-indexes': userListIndexesMigration,
        '0007-change-feed-retention': changeFeedRetentionMigration,
        '0008-policies': policiesMigration(dialect),
        '0009-traffic': trafficMigration(dialect),
        '0010-operation-descriptions': operationDescriptionsMigration,
        '0011-api-schemas': apiSchemasMigration(dialect),
      };
    },
  };
}
