/**
 * CPU accounting from /proc (Linux; everything reads as unknown elsewhere): CPU time of given
 * process trees and of the whole machine, in clock ticks (USER_HZ, 1/100 s on Linux). The machine
 * the benchmark runs on may be shared: what the servers under test used per request, and what
 * other processes used meanwhile, say how far the req/s can be trusted.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TICK_MS = 10;

function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of one process (all its threads), in ticks. */
function processTicks(pid: number): number {
  const f = statFields(pid);
  // After the name: state(3) ppid(4) ... utime(14) stime(15), i.e. indexes 11 and 12 here.
  return f ? Number(f[11]) + Number(f[12]) : 0;
}

/** The pid and all its descendants (nginx's worker is a child of its master). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [root];
  }
  for (const e of entries) {
    const f = statFields(Number(e));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(e));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/**
 * This process with the children it has reaped (cutime + cstime): the load generator, wrk, runs as
 * a child that has exited, and so left the process tree, by the time the run is sampled again.
 */
export function selfAndReapedTicks(): number {
  const f = statFields(process.pid);
  return f ? Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) : 0;
}

export function treeTicks(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += processTicks(pid);
  return sum;
}

/** Busy ticks of the whole machine (all CPUs), or NaN without /proc/stat. */
export function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return total - (v[3] ?? 0) - (v[4] ?? 0);
  } catch {
    return NaN;
  }
}
