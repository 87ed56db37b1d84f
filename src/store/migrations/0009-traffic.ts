import { sql, type Kysely, type Migration } from 'kysely';
import type { SqlDialect } from '../database.js';
import { LATENCY_BUCKETS } from '../../domain/analytics/latency.js';

/**
 * Traffic the gateways recorded (src/gateway/analytics): one row per minute and per API,
 * operation, product, subscription and user with Azure's report counts, times and a latency
 * histogram; calls per status code per minute and API (errors by status); the same two rolled up
 * per hour and per UTC day (traffic_hours, traffic_days, traffic_statuses_hours,
 * traffic_statuses_days: the same columns, `minute` holding the start of the hour or day, so one
 * query reads any of them; src/domain/analytics/resolution.ts picks one); and a sampled log of
 * single requests (byRequest). Times are epoch milliseconds (range scans and bucketing are
 * integer arithmetic); ids are entity ids, '' for none (so they can be part of a primary key).
 */
export function trafficMigration(dialect: SqlDialect): Migration {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      for (const table of ['traffic_minutes', 'traffic_hours', 'traffic_days']) {
        let t = db.schema
          .createTable(table)
          .addColumn('minute', 'bigint', (c) => c.notNull())
          .addColumn('api_id', text, (c) => c.notNull())
          .addColumn('operation_id', text, (c) => c.notNull())
          .addColumn('product_id', text, (c) => c.notNull())
          .addColumn('subscription_id', text, (c) => c.notNull())
          .addColumn('user_id', text, (c) => c.notNull())
          .addColumn('calls_success', 'bigint', (c) => c.notNull())
          .addColumn('calls_blocked', 'bigint', (c) => c.notNull())
          .addColumn('calls_failed', 'bigint', (c) => c.notNull())
          .addColumn('calls_other', 'bigint', (c) => c.notNull())
          .addColumn('calls_total', 'bigint', (c) => c.notNull())
          .addColumn('bandwidth', 'bigint', (c) => c.notNull())
          .addColumn('api_time_sum', 'double precision', (c) => c.notNull())
          .addColumn('api_time_min', 'double precision', (c) => c.notNull())
          .addColumn('api_time_max', 'double precision', (c) => c.notNull())
          /** Calls that reached the backend: the service times are over these only. */
          .addColumn('service_calls', 'bigint', (c) => c.notNull())
          .addColumn('service_time_sum', 'double precision', (c) => c.notNull())
          .addColumn('service_time_min', 'double precision', (c) => c.notNull())
          .addColumn('service_time_max', 'double precision', (c) => c.notNull());
        for (let i = 0; i < LATENCY_BUCKETS; i++) t = t.addColumn(`latency_${i}`, 'bigint', (c) => c.notNull());
        await t.addPrimaryKeyConstraint(`${table}_pk`, ['minute', 'api_id', 'operation_id', 'product_id', 'subscription_id', 'user_id']).execute();
        // The pages of one subscription, user, product or API read their own rows over a time range.
        for (const column of ['subscription_id', 'user_id', 'product_id', 'api_id']) {
          await db.schema.createIndex(`${table}_${column.replace(/_id$/, '')}`).on(table).columns([column, 'minute']).execute();
        }
      }

      for (const table of ['traffic_statuses', 'traffic_statuses_hours', 'traffic_statuses_days']) {
        await db.schema
          .createTable(table)
          .addColumn('minute', 'bigint', (c) => c.notNull())
          .addColumn('api_id', text, (c) => c.notNull())
          .addColumn('status', 'integer', (c) => c.notNull())
          .addColumn('calls', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['minute', 'api_id', 'status'])
          .execute();
      }

      const requests =
        dialect === 'postgres'
          ? db.schema.createTable('traffic_requests').addColumn('id', 'bigserial', (c) => c.primaryKey())
          : db.schema.createTable('traffic_requests').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await requests
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('request_id', text, (c) => c.notNull())
        .addColumn('method', text, (c) => c.notNull())
        /** Path and forwarded query: the subscription key parameter is never in it. */
        .addColumn('url', text, (c) => c.notNull())
        .addColumn('ip', text, (c) => c.notNull())
        .addColumn('api_id', text, (c) => c.notNull())
        .addColumn('operation_id', text, (c) => c.notNull())
        .addColumn('product_id', text, (c) => c.notNull())
        .addColumn('subscription_id', text, (c) => c.notNull())
        .addColumn('user_id', text, (c) => c.notNull())
        .addColumn('response_code', 'integer', (c) => c.notNull())
        /** 0: the call was not forwarded (or the backend did not answer). */
        .addColumn('backend_response_code', 'integer', (c) => c.notNull())
        .addColumn('request_size', 'bigint', (c) => c.notNull())
        .addColumn('response_size', 'bigint', (c) => c.notNull())
        .addColumn('api_time', 'double precision', (c) => c.notNull())
        .addColumn('service_time', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('traffic_requests_at').on('traffic_requests').column('at').execute();
    },
  };
}
