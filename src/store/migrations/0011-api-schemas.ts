import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';

/**
 * The schemas of an API (Azure's SchemaContract): documents of named types that the operations'
 * representations refer to by schemaId and typeName. They go with their API (ON DELETE CASCADE).
 */
export function apiSchemasMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_schemas')
        .addColumn('api_id', text, (c) => c.notNull().references('apis.id').onDelete('cascade'))
        .addColumn('id', text, (c) => c.notNull())
        .addColumn('content_type', text, (c) => c.notNull())
        /** The document as JSON text: {components} (OpenAPI), {definitions} (Swagger) or {value} (other kinds, text). */
        .addColumn('document', text, (c) => c.notNull())
        /** 1 for the schema an OpenAPI import keeps (a re-import replaces it under the same id), 0 for one PUT by a client. */
        .addColumn('imported', 'integer', (c) => c.notNull())
        .addColumn('etag', text, (c) => c.notNull())
        .addPrimaryKeyConstraint('api_schemas_pk', ['api_id', 'id'])
        .execute();
    },
  };
}
