/**
 * The query plans behind the measured requests (`--explain`): the repository functions of
 * src/store run against a Kysely instance with a plugin that records every query they send, so
 * the plans are those of the exact SQL Tollgate runs, not of a copy of it. Each query is then
 * timed on its own (median of 50 runs through Kysely) and explained: EXPLAIN QUERY PLAN on
 * SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL.
 */
import { CompiledQuery, createQueryId, type KyselyPlugin, type RootOperationNode } from 'kysely';
import type { Db, SqlDialect } from '../../src/store/database.js';
import { findLiveUserByEmail, findUser, listIdentities, listUsers } from '../../src/store/users-repo.js';
import { groupsOfUsers } from '../../src/store/groups-repo.js';
import { parseFilter } from '../../src/domain/filter/parser.js';
import { USER_FILTER_FIELDS } from '../../src/domain/filter/fields.js';
import { percentile } from './measure.js';
import { localPart, type SeededUsers } from './seed.js';

export interface ExplainTarget {
  /** What the queries belong to, e.g. "GET user by id". */
  label: string;
  /** Calls repository functions with the recording executor. */
  run(ex: Db): Promise<unknown>;
}

async function recordQueries(db: Db, run: (ex: Db) => Promise<unknown>): Promise<CompiledQuery[]> {
  const nodes: RootOperationNode[] = [];
  const recorder: KyselyPlugin = {
    transformQuery: ({ node }) => {
      nodes.push(node);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  await run(db.withPlugin(recorder));
  return nodes.map((node) => db.getExecutor().compileQuery(node, createQueryId()));
}

async function medianMs(db: Db, query: CompiledQuery, runs = 50): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await db.executeQuery(query);
    times.push(performance.now() - started);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

async function plan(db: Db, dialect: SqlDialect, query: CompiledQuery): Promise<string[]> {
  if (dialect === 'postgres') {
    const result = await db.executeQuery<Record<string, string>>(
      CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, [...query.parameters]),
    );
    return result.rows.map((r) => r['QUERY PLAN'] ?? JSON.stringify(r));
  }
  const result = await db.executeQuery<{ id: number; parent: number; detail: string }>(
    CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
  );
  const depth = new Map<number, number>([[0, 0]]);
  return result.rows.map((r) => {
    const d = (depth.get(r.parent) ?? 0) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d - 1)}${r.detail}`;
  });
}

function withParameters(query: CompiledQuery): string {
  const shown = query.parameters.map((p) => (typeof p === 'string' ? `'${p}'` : String(p)));
  const params = shown.length > 6 ? [...shown.slice(0, 6), `... (${shown.length} parameters)`] : shown;
  return params.length > 0 ? `${query.sql}\n  -- parameters: ${params.join(', ')}` : query.sql;
}

/** Returns the report as text (a fenced block per target). */
export async function explain(db: Db, dialect: SqlDialect, targets: readonly ExplainTarget[]): Promise<string> {
  const out: string[] = [];
  for (const target of targets) {
    out.push(`#### ${target.label}`, '', '```');
    for (const query of await recordQueries(db, target.run)) {
      out.push(withParameters(query));
      out.push(`  -- median ${(await medianMs(db, query)).toFixed(3)} ms (query alone, through Kysely)`);
      for (const line of await plan(db, dialect, query)) out.push(`  ${line}`);
      out.push('');
    }
    out.push('```', '');
  }
  return out.join('\n');
}

/** The queries behind the measured requests, as src/services/users.ts makes them. */
export async function explainUserQueries(db: Db, dialect: SqlDialect, seeded: SeededUsers): Promise<string> {
  const id = seeded.ids[Math.floor(seeded.ids.length / 2)]!;
  const prefix = localPart(12_345 % seeded.ids.length, seeded.digits).slice(0, -2);
  const startsWith = parseFilter(`startswith(email,'${prefix}')`, USER_FILTER_FIELDS);
  const blocked = parseFilter("state eq 'blocked'", USER_FILTER_FIELDS);
  const page = await listUsers(db, { filter: startsWith, top: 100, skip: 0 });
  return explain(db, dialect, [
    { label: 'GET user by id', run: (ex) => Promise.all([findUser(ex, id), listIdentities(ex, [id]), groupsOfUsers(ex, [id])]) },
    { label: `List startswith(email,'${prefix}') $top=100`, run: (ex) => listUsers(ex, { filter: startsWith, top: 100, skip: 0 }) },
    { label: "List state eq 'blocked' $top=100 $skip=400", run: (ex) => listUsers(ex, { filter: blocked, top: 100, skip: 400 }) },
    { label: 'List without $filter $top=100 $skip=400', run: (ex) => listUsers(ex, { top: 100, skip: 400 }) },
    { label: 'Identities of one page of 100 users', run: (ex) => listIdentities(ex, page.rows.map((r) => r.id)) },
    { label: 'Email uniqueness check on create', run: (ex) => findLiveUserByEmail(ex, 'nobody@bench.example.com') },
  ]);
}
