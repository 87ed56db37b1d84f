/**
 * What every benchmark report says about where it ran: the machine line under its `## Title`, and
 * the load average around its measurements.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineLine {
  /** The number of CPUs stated (default availableParallelism(), the CPUs this process may run on). */
  cpuCount?: number;
  /** Software named after Node's version, e.g. `nginx 1.24.0`. */
  alsoRunning?: string[];
}

/** `2025-01-31; 8 × <CPU model>, 16 GiB RAM, Node v20.18.0, linux/x64.` (today's date) */
export function machineLine(line: MachineLine = {}): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const software = [`Node ${process.version}`, ...(line.alsoRunning ?? [])].join(', ');
  return (
    `${new Date().toISOString().slice(0, 10)}; ${line.cpuCount ?? availableParallelism()} × ${cpu}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${software}, ${process.platform}/${process.arch}.`
  );
}

/** The head of a report on stdout: `## <title>`, then the machine line followed by `description`. */
export function printReportHead(title: string, description: string, line: MachineLine = {}): void {
  console.log(`## ${title}\n`);
  console.log(`${machineLine(line)} ${description}\n`);
}

/** The 1, 5 and 15 minute load averages: `0.52 0.41 0.30`. */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}
