/**
 * A backend's section of the report: the figures of both processes, propagation, the latency
 * phases, then the issue's targets with PASS or MISS.
 */
import type { SqlDialect } from '../../src/store/database.js';
import { formatMs, summarize } from '../management/measure.js';
import type { Phase, Propagation } from './measure.js';
import type { LoopDelay, Ready, Sample } from './protocol.js';

/** Issue 10's targets at 1,000,000 subscriptions. */
export const TARGETS = { startS: 10, rssMiB: 600, otherNodeP99Ms: 100, p99UnderWritesRatio: 2, writeRate: 100 };

export interface ProcessFigures {
  /** From spawning the process to its `ready` (the gateway listens), as the parent saw it (ms). */
  spawnToServingMs: number;
  ready: Ready;
  afterStart: Sample;
  atEnd: Sample;
}

export interface BackendReport {
  name: string;
  dialect: SqlDialect;
  version: string;
  users: number;
  subscriptions: number;
  seeding: { usersSeconds: number; subscriptionsSeconds: number };
  app: ProcessFigures;
  node: ProcessFigures;
  propagation: Propagation[];
  /** The event loop's delays while propagation was measured. */
  propagationLoop: { app: LoopDelay; node: LoopDelay };
  phases: Phase[];
  /** Errors outside the phases and propagation (e.g. a key that did not open the API after start). */
  otherErrors: string[];
  loadAverage: { before: string; after: string };
}

const MiB = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const ms = (v: number) => (Number.isFinite(v) ? formatMs(v) : '—');
const seconds = (v: number) => (v / 1000).toFixed(2);
const count = (n: number) => n.toLocaleString('en-US');

function servingLoops(r: BackendReport, which: 'app' | 'node'): LoopDelay[] {
  return [r.propagationLoop[which], ...r.phases.map((ph) => ph.loop[which])];
}

function processRows(r: BackendReport): string[] {
  const row = (label: string, f: (p: ProcessFigures) => string) => `| ${label} | ${f(r.app)} | ${f(r.node)} |`;
  const perSubscription = (s: Sample) => (s.stats.subscriptions > 0 ? (s.stats.keyIndexBytes / s.stats.subscriptions).toFixed(0) : '—');
  return [
    '| | all-in-one (`createApp`) | second node (`createGatewayNode`) |',
    '|---|---:|---:|',
    row('start to serving: spawn → gateway listening, s', (p) => seconds(p.spawnToServingMs)),
    row('… of which `createApp` / `createGatewayNode` → listening, s', (p) => seconds(p.ready.startup.sinceCreateMs)),
    row('event loop during start: max delay, ms', (p) => ms(p.ready.startup.loop.max)),
    row('RSS once serving, MiB', (p) => MiB(p.afterStart.rss)),
    row('RSS at the end / peak over the run, MiB', (p) => `${MiB(p.atEnd.rss)} / ${MiB(p.atEnd.peakRss)}`),
    row('heap used at the end, MiB', (p) => MiB(p.atEnd.heapUsed)),
    row('gateway: subscriptions / keys in the index', (p) => `${count(p.atEnd.stats.subscriptions)} / ${count(p.atEnd.stats.keys)}`),
    row('key index, bytes per subscription (`keyIndexBytes / subscriptions`)', (p) => perSubscription(p.atEnd)),
    row('event loop while serving (propagation and phases): largest delay, ms', (p) => ms(Math.max(...servingLoops(r, p === r.app ? 'app' : 'node').map((l) => l.max)))),
  ];
}

function propagationRows(r: BackendReport): string[] {
  const lines = [
    '| Change | Samples | all-in-one: first request right | p50 ms | p99 ms | second node: p50 ms | p99 ms | max ms | write p50 ms | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of r.propagation) {
    const here = summarize(p.name, p.here);
    const there = summarize(p.name, p.there);
    const write = summarize(p.name, p.writes);
    lines.push(
      `| ${p.name} | ${p.samples} | ${p.firstRight} of ${p.samples} | ${ms(here.p50)} | ${ms(here.p99)} | ${ms(there.p50)} | ${ms(there.p99)} | ${ms(there.max)} | ${ms(write.p50)} | ${p.errors.length} |`,
    );
  }
  return lines;
}

function phaseErrors(ph: Phase): number {
  return ph.load.non2xx + ph.load.errors + ph.writes.errors.length;
}

function phaseRows(r: BackendReport): string[] {
  const idle = r.phases[0]?.load.p99 ?? NaN;
  const lines = [
    '| Phase | requests | p50 ms | p99 ms | max ms | p99 ÷ idle p99 | writes made (skipped) | write p50 / p99 ms | errors | loop max / p99 ms, all-in-one | second node |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const ph of r.phases) {
    const w = summarize(ph.name, ph.writes.latencies);
    const loop = (l: { max: number; p99: number }) => `${ms(l.max)} / ${ms(l.p99)}`;
    lines.push(
      `| ${ph.name} | ${count(ph.load.requests)} | ${ms(ph.load.p50)} | ${ms(ph.load.p99)} | ${ms(ph.load.max)} | ${(ph.load.p99 / idle).toFixed(2)}× | ` +
        `${ph.writes.rate === 0 ? '—' : `${count(ph.writes.made)} (${count(ph.writes.skipped)})`} | ${ph.writes.rate === 0 ? '—' : `${ms(w.p50)} / ${ms(w.p99)}`} | ` +
        `${phaseErrors(ph)} | ${loop(ph.loop.app)} | ${loop(ph.loop.node)} |`,
    );
  }
  return lines;
}

/** Every error of the run: the phases' bad statuses and failed writes, propagation's, the rest. */
function allErrors(r: BackendReport): string[] {
  const out = [...r.otherErrors, ...r.propagation.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`))];
  for (const ph of r.phases) {
    const statuses = Object.entries(ph.load.statuses).filter(([code]) => !code.startsWith('2'));
    if (statuses.length) out.push(`${ph.name}: gateway answered ${statuses.map(([c, n]) => `${c} ×${n}`).join(', ')}`);
    if (ph.load.errors) out.push(`${ph.name}: ${ph.load.errors} gateway requests without an answer`);
    out.push(...ph.writes.errors.map((e) => `${ph.name}: ${e}`));
  }
  return out;
}

function targetRows(r: BackendReport): string[] {
  const verdict = (ok: boolean) => (ok ? 'PASS' : '**MISS**');
  const every = r.propagation.flatMap((p) => p.there);
  const there = summarize('there', every);
  const firstRight = r.propagation.reduce((n, p) => n + p.firstRight, 0);
  const samples = r.propagation.reduce((n, p) => n + p.samples, 0);
  const idle = r.phases.find((p) => p.writes.rate === 0);
  const busy = r.phases.find((p) => p.writes.rate === TARGETS.writeRate);
  const ratio = idle && busy ? busy.load.p99 / idle.load.p99 : NaN;
  const errors = allErrors(r).length;
  const rows: [string, string, string][] = [
    [`start to serving ≤ ${TARGETS.startS} s (all-in-one)`, `${seconds(r.app.spawnToServingMs)} s`, verdict(r.app.spawnToServingMs <= TARGETS.startS * 1000)],
    [`RSS ≤ ${TARGETS.rssMiB} MiB (all-in-one, peak over the run)`, `${MiB(r.app.atEnd.peakRss)} MiB`, verdict(r.app.atEnd.peakRss <= TARGETS.rssMiB * 2 ** 20)],
    ['propagation immediate in the same process (first request after the answer)', `${firstRight} of ${samples}`, verdict(samples > 0 && firstRight === samples)],
    r.dialect === 'postgres'
      ? [`propagation p99 ≤ ${TARGETS.otherNodeP99Ms} ms to another node`, `${ms(there.p99)} ms`, verdict(every.length > 0 && there.p99 <= TARGETS.otherNodeP99Ms)]
      : [`propagation p99 to another node (target on PostgreSQL only)`, `${ms(there.p99)} ms`, '—'],
    [`gateway p99 under ${TARGETS.writeRate} writes/s ≤ ${TARGETS.p99UnderWritesRatio}× idle`, `${ratio.toFixed(2)}×`, verdict(ratio <= TARGETS.p99UnderWritesRatio)],
    ['no errors', count(errors), verdict(errors === 0)],
  ];
  return ['| Target (issue 10, at 1,000,000 subscriptions) | Measured | |', '|---|---:|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

export function printBackendReport(r: BackendReport, about: { changes: number; durationS: number; loadRate: number; loadConnections: number; writesInFlight: number; pauseMs: number }): void {
  console.log(`### ${r.name}: ${count(r.users)} users, ${count(r.subscriptions)} subscriptions\n`);
  console.log(
    `${r.version}. Seeded in ${r.seeding.usersSeconds.toFixed(1)} s (users) + ${r.seeding.subscriptionsSeconds.toFixed(1)} s (subscriptions, keys sealed and hashed). ` +
      `Load average (1/5/15 min) ${r.loadAverage.before} before the measurements, ${r.loadAverage.after} after.\n`,
  );
  console.log([...processRows(r), ''].join('\n'));
  console.log(
    `Propagation: ${about.changes} changes of each kind, each after an untimed pause of 0–${about.pauseMs} ms, timed from the write's answer ` +
      `(for a new subscription, its PUT; its key is then read with listSecrets) to the first request, polling every ~1 ms, that gets the new answer.\n`,
  );
  console.log([...propagationRows(r), ''].join('\n'));
  const loop = (l: LoopDelay) => `max ${ms(l.max)} ms, p99 ${ms(l.p99)} ms`;
  console.log(`Event loop meanwhile: all-in-one ${loop(r.propagationLoop.app)}; second node ${loop(r.propagationLoop.node)}.\n`);
  console.log(
    `Gateway latency: ${about.loadRate} req/s paced evenly over up to ${about.loadConnections} keep-alive connections to the all-in-one gateway (a seeded key), ` +
      `${about.durationS} s per phase; the writes, paced as well, alternate a new subscription (PUT) and a seeded subscription's state flipped (PATCH), ` +
      `at most ${about.writesInFlight} in flight (a write due while they are all unanswered is skipped). Loop: \`monitorEventLoopDelay\` in each process over the phase.\n`,
  );
  console.log([...phaseRows(r), ''].join('\n'));
  console.log([...targetRows(r), ''].join('\n'));
  const errors = allErrors(r);
  if (errors.length) {
    const shown = errors.slice(0, 10).map((e) => `- ${e}`);
    console.log(`Errors (${count(errors.length)}${errors.length > 10 ? ', the first 10' : ''}):\n\n${shown.join('\n')}\n`);
  }
}
