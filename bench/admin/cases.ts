/**
 * The admin pages measured: the Users list as test/integration/admin-users-list.test.ts opens it
 * (first page, last page, newest first, search by email and by name, state filter), the overview
 * (its counts), and the baseline. Every page must answer 200; the list pages are also checked for
 * the number of matches they report and the rows they show.
 */
import { localPart, prng, type SeededUsers } from '../management/seed.js';
import type { BenchCase, HttpResult } from '../management/measure.js';

export interface AdminCaseOptions {
  samples: number;
  warmup: number;
  seed: number;
}

const PAGE = 50;
/** Last names bench/management/seed.ts draws from (a few of its 40). */
const LAST_NAMES = ['Nakamura', 'Müller', "O'Brien", 'van der Berg', 'Kowalski', 'Okafor'];

/** "<from>–<to> of <count>" as the list's pagination prints it. */
function range(body: string): { from: number; to: number; count: number } | undefined {
  const m = /<p class="muted">(\d+)–(\d+) of (\d+)<\/p>/.exec(body);
  return m ? { from: Number(m[1]), to: Number(m[2]), count: Number(m[3]) } : undefined;
}

function rows(body: string): number {
  return [...body.matchAll(/name="pick\.[^"]+" value="yes"/g)].length;
}

function expectList(expected: { count?: number; from?: number; rows?: number }) {
  return (r: HttpResult) => {
    const got = range(r.body);
    if (!got) throw new Error(`no "x–y of n" on the page: ${r.body.slice(0, 300)}`);
    if (expected.count !== undefined && got.count !== expected.count) throw new Error(`expected ${expected.count} matches, the page says ${got.count}`);
    if (expected.from !== undefined && got.from !== expected.from) throw new Error(`expected the page to start at ${expected.from}, it starts at ${got.from}`);
    const shown = rows(r.body);
    const want = expected.rows ?? Math.min(PAGE, got.count - got.from + 1);
    if (shown !== want) throw new Error(`expected ${want} rows, the page shows ${shown}`);
  };
}

/** The measured cases; the first is the baseline. runCases interleaves them. */
export function adminCases(options: AdminCaseOptions, seeded: SeededUsers): BenchCase[] {
  const random = prng(options.seed + 2000);
  const { samples, warmup } = options;
  const n = seeded.ids.length;
  const total = n + 1; // the seeded users and the built-in administrator
  /** The last page that holds a whole 50 rows, as the test opens it. */
  const lastPage = Math.max(0, total - PAGE);
  const common = { expect: 200, samples, warmup };
  return [
    {
      name: 'Baseline: the Add user form (/admin/users/new)',
      ...common,
      next: () => ({ method: 'GET', path: '/admin/users/new' }),
      check: (r) => {
        if (!r.body.includes('action="/admin/users/new"')) throw new Error('no Add user form on the page');
      },
    },
    {
      name: 'Overview (/admin: counts of users, pending, blocked)',
      ...common,
      next: () => ({ method: 'GET', path: '/admin' }),
      check: (r) => {
        if (!r.body.includes(`<span class="value">${total}</span>`)) throw new Error(`the overview does not count ${total} users`);
      },
    },
    {
      name: 'Users, first page (sorted by name)',
      ...common,
      next: () => ({ method: 'GET', path: '/admin/users' }),
      check: expectList({ count: total, from: 1, rows: PAGE }),
    },
    {
      name: 'Users, a random page (sorted by name)',
      ...common,
      next: () => ({ method: 'GET', path: `/admin/users?skip=${Math.floor(random() * Math.ceil(total / PAGE)) * PAGE}` }),
      check: expectList({ count: total }),
    },
    {
      name: 'Users, last page, oldest last (sort=-registered)',
      ...common,
      next: () => ({ method: 'GET', path: `/admin/users?sort=-registered&skip=${lastPage}` }),
      check: expectList({ count: total, from: lastPage + 1 }),
    },
    {
      name: 'Users, newest first (sort=-registered)',
      ...common,
      next: () => ({ method: 'GET', path: '/admin/users?sort=-registered' }),
      check: expectList({ count: total, from: 1, rows: PAGE }),
    },
    {
      name: 'Search by email (q=user012345@), 1 match',
      ...common,
      next: () => ({ method: 'GET', path: `/admin/users?q=${encodeURIComponent(`${localPart(Math.floor(random() * n), seeded.digits)}@`)}` }),
      check: expectList({ count: 1, from: 1, rows: 1 }),
    },
    {
      name: 'Search by last name (q=Nakamura…), sort=name',
      ...common,
      next: () => ({ method: 'GET', path: `/admin/users?q=${encodeURIComponent(LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]!)}&sort=name` }),
      check: expectList({ from: 1 }),
    },
    {
      name: 'State filter, blocked, sort=-name',
      ...common,
      next: () => ({ method: 'GET', path: '/admin/users?state=blocked&sort=-name' }),
      check: expectList({ count: seeded.byState.blocked, from: 1 }),
    },
  ];
}
