/**
 * What is measured. Each case says how to make its i-th request and which status it expects; the
 * list responses are also checked for the number of matches they should report.
 */
import { randomBytes } from 'node:crypto';
import { localPart, prng, type SeededUsers } from './seed.js';
import type { BenchCase } from './measure.js';

export interface CaseOptions {
  /** Timed requests per read case. */
  samples: number;
  createSamples: number;
  passwordSamples: number;
  warmup: number;
  seed: number;
}

function hexId(random: () => number, head: string): string {
  let tail = '';
  while (tail.length < 24 - head.length) tail += Math.floor(random() * 16).toString(16);
  return head + tail;
}

/** The measured cases; the first is the baseline. runCases interleaves them. */
export function cases(options: CaseOptions, seeded: SeededUsers): BenchCase[] {
  const random = prng(options.seed + 1000);
  const { samples, warmup } = options;
  const n = seeded.ids.length;
  const anyUser = () => seeded.ids[Math.floor(random() * n)]!;
  const q = (params: Record<string, string | number>) =>
    Object.entries(params)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
  const tag = randomBytes(3).toString('hex');
  const countIs = (expected: number) => (r: { body: string }) => {
    const count = (JSON.parse(r.body) as { count: number }).count;
    if (count !== expected) throw new Error(`expected ${expected} matches, got ${count}`);
  };
  // Ids seeded users cannot have: their first 8 hex digits are a time in the last three years.
  const unknownId = () => hexId(random, 'ffff');

  const list: BenchCase[] = [
    {
      name: 'Baseline: GET unknown user (404)',
      expect: 404,
      samples,
      warmup,
      next: () => ({ method: 'GET', path: `/users/${unknownId()}` }),
    },
    {
      name: 'GET user by id',
      expect: 200,
      samples,
      warmup,
      next: () => ({ method: 'GET', path: `/users/${anyUser()}` }),
    },
  ];

  // startswith(email,'user0123'): a random user's number without its last two digits, so 100
  // matches (fewer only in the last block when N is not a multiple of 100): one full page.
  let expected = 0;
  list.push({
    name: "List $filter=startswith(email,'user…') $top=100",
    expect: 200,
    samples,
    warmup,
    next: () => {
      const index = Math.floor(random() * n);
      const prefix = localPart(index, seeded.digits).slice(0, -2);
      const first = Math.floor(index / 100) * 100;
      expected = Math.min(first + 100, n) - first;
      return { method: 'GET', path: `/users?${q({ $filter: `startswith(email,'${prefix}')`, $top: 100 })}` };
    },
    check: (r) => countIs(expected)(r),
  });

  list.push({
    name: "List $filter=state eq 'blocked' $top=100 $skip=0…400",
    expect: 200,
    samples,
    warmup,
    next: () => ({
      method: 'GET',
      path: `/users?${q({ $filter: "state eq 'blocked'", $top: 100, $skip: 100 * Math.floor(random() * 5) })}`,
    }),
    check: countIs(seeded.byState.blocked),
  });

  // Not one of the issue's cases, but the most common list of all: every page counts every user.
  list.push({
    name: 'List without $filter $top=100 $skip=0…400',
    expect: 200,
    samples,
    warmup,
    next: () => ({ method: 'GET', path: `/users?${q({ $top: 100, $skip: 100 * Math.floor(random() * 5) })}` }),
  });

  const newUser = (i: number, password?: string) => ({
    method: 'PUT',
    path: `/users/${hexId(random, 'fffe')}`,
    body: {
      properties: {
        email: `new-${tag}-${i}@bench.example.com`,
        firstName: 'Bench',
        lastName: `User ${i}`,
        ...(password !== undefined ? { password } : {}),
      },
    },
  });
  if (options.createSamples > 0) {
    list.push({ name: 'PUT new user (no password)', expect: 201, samples: options.createSamples, warmup, next: (i) => newUser(i) });
  }
  if (options.passwordSamples > 0) {
    list.push({
      name: 'PUT new user with password (argon2id)',
      expect: 201,
      samples: options.passwordSamples,
      warmup: Math.min(warmup, 5),
      next: (i) => newUser(100_000 + i, randomBytes(12).toString('base64url')),
    });
  }
  return list;
}
