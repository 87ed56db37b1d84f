/**
 * Fills a freshly migrated Tollgate database with N developer accounts, straight through Kysely:
 * multi-row INSERTs of users, their identities (Basic + email) and their membership of the
 * `developers` group, a few thousand users per transaction. Deterministic for a given seed, apart
 * from the random part of ids and etags.
 *
 * User i has the email `user<i, zero-padded>@<domain>` (a few written in mixed case, as people
 * type them), so `startswith(email,'user0123')` matches a known number of users.
 */
import { randomBytes } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Db } from '../../src/store/database.js';
import type { GroupMembersTable, UserIdentitiesTable, UsersTable } from '../../src/store/schema.js';
import { newEtag } from '../../src/domain/ids.js';
import { normalizeEmail } from '../../src/domain/user.js';
import { DEVELOPERS_GROUP_ID } from '../../src/domain/group.js';
import { progressBar } from './progress.js';

export interface SeedOptions {
  /** PRNG seed for names, domains and states. */
  seed?: number;
  /** Rows per INSERT statement (users have 11 columns: 1,000 rows = 11,000 parameters). */
  batchSize?: number;
  /** Batches per transaction. */
  batchesPerTransaction?: number;
  onProgress?: (done: number) => void;
}

export interface SeededUsers {
  /** Ids of the seeded users, in seeding order. */
  ids: string[];
  /** Digits of the zero-padded number in `user<number>@...`. */
  digits: number;
  byState: Record<'active' | 'blocked' | 'pending', number>;
}

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** At least 6 digits, more when N needs them. */
export function emailDigits(count: number): number {
  return Math.max(6, String(Math.max(count - 1, 0)).length);
}

export function localPart(index: number, digits: number): string {
  return `user${String(index).padStart(digits, '0')}`;
}

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Mia', 'Lucas', 'Chloé', 'José', 'Zoë',
  'Mateo', 'Aiko', 'Haruto', 'Priya', 'Arjun', 'Fatima', 'Omar', 'Ingrid', 'Lars', 'Siobhán', 'Seán', 'Björn',
  'Małgorzata', 'Łukasz', 'Nguyễn', 'Wei', 'Xiu', 'Kwame', 'Amara', 'Dmitri', 'Anastasia', 'Giulia', 'Marco',
  'Ana-Maria', 'Jean-Luc', 'Renée', 'Søren',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'García', 'Müller', 'Schmidt', 'Rossi', 'Dubois', "O'Brien", 'Nakamura',
  'Tanaka', 'Patel', 'Sharma', 'Kowalski', 'Nowak', 'Andersson', 'Johansson', 'Ivanov', 'Novák', 'da Silva',
  'van der Berg', 'Okafor', 'Mensah', 'Chen', 'Wang', 'Kim', 'Park', 'Nguyen', 'Haddad', 'Cohen', 'Fernández',
  'Martínez', 'Papadopoulos', 'Yılmaz', 'Lindqvist', 'Byrne', 'MacDonald', 'Smith-Jones', 'Ferreira',
];
/** [domain, cumulative weight] */
const DOMAINS: readonly [string, number][] = [
  ['example.com', 0.7],
  ['mail.example.net', 0.8],
  ['corp.example.org', 0.9],
  ['example.co.uk', 0.95],
  ['students.example.edu', 1],
];
/** What an argon2id hash looks like in the column (the benchmark never signs in with it). */
const SOME_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$vrPOpi3od5f/0JpFIePNdA$4b2G69lRPqxUf40D1lnmrj44YDLwvOFvpRiy1PFQZYI';
/** Registrations spread over the three years before now. */
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** An Azure-like id (as src/domain/ids.ts makes them): 4 bytes of seconds, then 8 random bytes. */
function userId(at: Date): string {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(Math.floor(at.getTime() / 1000) >>> 0);
  return head.toString('hex') + randomBytes(8).toString('hex');
}

function state(random: () => number): keyof SeededUsers['byState'] {
  const r = random();
  return r < 0.1 ? 'blocked' : r < 0.15 ? 'pending' : 'active';
}

export async function seedUsers(db: Db, count: number, options: SeedOptions = {}): Promise<SeededUsers> {
  const random = prng(options.seed ?? 1);
  const batchSize = options.batchSize ?? 1000;
  const perTransaction = options.batchesPerTransaction ?? 5;
  const digits = emailDigits(count);
  const start = Date.now() - SPAN_MS;
  const ids: string[] = [];
  const byState = { active: 0, blocked: 0, pending: 0 };

  function batch(from: number, to: number) {
    const users: Insertable<UsersTable>[] = [];
    const identities: Insertable<UserIdentitiesTable>[] = [];
    const members: Insertable<GroupMembersTable>[] = [];
    for (let i = from; i < to; i++) {
      const registered = new Date(start + Math.floor(((i + random()) / count) * SPAN_MS));
      const id = userId(registered);
      const r = random();
      const [domain] = DOMAINS.find(([, weight]) => r < weight) ?? DOMAINS[0]!;
      const local = localPart(i, digits);
      const email = random() < 0.05 ? `U${local.slice(1)}@${domain[0]!.toUpperCase()}${domain.slice(1)}` : `${local}@${domain}`;
      const s = state(random);
      const at = registered.toISOString();
      users.push({
        id,
        first_name: pick(random, FIRST_NAMES),
        last_name: pick(random, LAST_NAMES),
        email,
        email_lc: normalizeEmail(email),
        state: s,
        note: random() < 0.05 ? 'Imported from the legacy developer portal.' : null,
        registration_date: at,
        password_hash: s === 'pending' ? null : SOME_PASSWORD_HASH,
        etag: newEtag(),
        updated_at: at,
      });
      identities.push({ user_id: id, provider: 'Basic', provider_id: email, position: 0 });
      members.push({ group_id: DEVELOPERS_GROUP_ID, user_id: id, created_at: at });
      ids.push(id);
      byState[s]++;
    }
    return { users, identities, members };
  }

  const step = batchSize * perTransaction;
  for (let from = 0; from < count; from += step) {
    await db.transaction().execute(async (trx) => {
      for (let b = from; b < Math.min(from + step, count); b += batchSize) {
        const rows = batch(b, Math.min(b + batchSize, count));
        await trx.insertInto('users').values(rows.users).execute();
        await trx.insertInto('user_identities').values(rows.identities).execute();
        await trx.insertInto('group_members').values(rows.members).execute();
      }
    });
    options.onProgress?.(Math.min(from + step, count));
  }
  return { ids, digits, byState };
}

/** seedUsers with a progress bar on stderr (`<name>: seeding users`); also how long it took, in seconds. */
export async function seedUsersShowingProgress(db: Db, name: string, count: number, seed: number): Promise<{ seeded: SeededUsers; seconds: number }> {
  const bar = progressBar(`${name}: seeding users`, count);
  const started = performance.now();
  const seeded = await seedUsers(db, count, { seed, onProgress: (d) => bar.update(d) });
  bar.finish();
  return { seeded, seconds: (performance.now() - started) / 1000 };
}
