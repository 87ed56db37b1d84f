/**
 * The primary of `tollgate gateway --workers N` (N > 1): forks N workers that share GATEWAY_PORT
 * through node:cluster (the primary accepts and hands connections round-robin), waits until every
 * one listens, replaces those that die, and stops them all on request. It opens no database
 * itself: each worker runs its own gateway node and follows the change feed. With METRICS_PORT it
 * asks every worker for its metrics at each scrape (`collectMetrics`), to serve their sum.
 */
import cluster, { type Worker } from 'node:cluster';

/** What a worker tells the primary, and what the primary tells a worker. */
export type WorkerMessage =
  | { tollgate: 'listening'; gatewayUrl: string }
  /** The answer to a metrics request: the worker registry's getMetricsAsJSON(). */
  | { tollgate: 'metrics'; id: number; metrics: object[] };
export type PrimaryMessage = { tollgate: 'stop' } | { tollgate: 'metrics'; id: number };

/** How long a scrape waits for the workers' metrics; one that has not answered by then is left out. */
export const METRICS_WAIT_MS = 2_000;

export interface SupervisorLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface GatewayCluster {
  gatewayUrl: string;
  /** Asks every worker to close its gateway and database; resolves true if all did so in time and cleanly. */
  stop(): Promise<boolean>;
  /** Every live worker's metrics (prom-client's JSON form), for AggregatorRegistry.aggregate. */
  collectMetrics(): Promise<object[][]>;
}

export interface ClusterOptions {
  workers: number;
  logger: SupervisorLogger;
  /** After startup: workers keep dying soon after they start, so the cluster stopped them all (a broken config or database). */
  onGiveUp(reason: string): void;
}

/** A worker that lived this long was healthy: its death starts the backoff afresh. */
export const STABLE_MS = 10_000;
/** This many deaths in a row, each within STABLE_MS of its start, and the cluster gives up. */
export const MAX_QUICK_DEATHS = 5;
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** How long a worker may take to close its connections and database before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** Forks the workers; resolves once all listen, rejects (having stopped the others) if any fails to start. */
export function startGatewayCluster(options: ClusterOptions): Promise<GatewayCluster> {
  const startedAt = new Map<Worker, number>();
  const restarts = new Set<NodeJS.Timeout>();
  let quickDeaths = 0;
  let stopping: Promise<boolean> | undefined;
  let started = false;
  const metricReplies = new Map<number, (metrics: object[]) => void>();
  let metricRequests = 0;

  const collectMetrics = (): Promise<object[][]> => {
    const id = ++metricRequests;
    const asked = [...startedAt.keys()].filter((w) => w.isConnected());
    const got: object[][] = [];
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        metricReplies.delete(id);
        resolve(got);
      };
      const timer = setTimeout(done, METRICS_WAIT_MS);
      if (asked.length === 0) return done();
      metricReplies.set(id, (metrics) => {
        got.push(metrics);
        if (got.length === asked.length) done();
      });
      for (const worker of asked) worker.send({ tollgate: 'metrics', id } satisfies PrimaryMessage);
    });
  };

  const stop = (): Promise<boolean> => {
    stopping ??= (async () => {
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      const results = await Promise.all([...startedAt.keys()].map(stopWorker));
      return results.every(Boolean);
    })();
    return stopping;
  };

  return new Promise((resolve, reject) => {
    let listening = 0;
    let gatewayUrl = '';

    const fork = (): void => {
      const worker = cluster.fork();
      startedAt.set(worker, Date.now());
      // A message to a worker that just died fails this way; its 'exit' follows and is handled there.
      worker.on('error', () => undefined);
      worker.on('message', (message: WorkerMessage) => {
        if (message?.tollgate === 'metrics') return metricReplies.get(message.id)?.(message.metrics);
        if (message?.tollgate !== 'listening' || started) return;
        gatewayUrl = message.gatewayUrl;
        if (++listening === options.workers) {
          started = true;
          resolve({ gatewayUrl, stop, collectMetrics });
        }
      });
      worker.once('exit', (code, signal) => {
        const livedMs = Date.now() - startedAt.get(worker)!;
        startedAt.delete(worker);
        if (stopping) return;
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        if (!started) {
          void stop().then(() => reject(new Error(`a gateway worker failed to start (${how}); see its message above`)));
          return;
        }
        quickDeaths = livedMs < STABLE_MS ? quickDeaths + 1 : 0;
        const fields = { worker: worker.id, workerPid: worker.process.pid, code, signal, livedMs };
        if (quickDeaths >= MAX_QUICK_DEATHS) {
          options.logger.warn(fields, 'gateway worker exited; giving up');
          void stop().then(() =>
            options.onGiveUp(`${quickDeaths} gateway workers in a row exited within ${STABLE_MS / 1000} s of starting (the last: ${how}); stopped all`),
          );
          return;
        }
        const delayMs = Math.min(FIRST_RESTART_DELAY_MS * 2 ** Math.max(quickDeaths - 1, 0), MAX_RESTART_DELAY_MS);
        options.logger.warn({ ...fields, restartInMs: delayMs }, 'gateway worker exited unexpectedly; starting another');
        const timer = setTimeout(() => {
          restarts.delete(timer);
          fork();
        }, delayMs);
        restarts.add(timer);
      });
    };

    for (let i = 0; i < options.workers; i++) fork();
  });
}

function stopWorker(worker: Worker): Promise<boolean> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve(true);
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    worker.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 && !signal);
    });
    if (worker.isConnected()) worker.send({ tollgate: 'stop' } satisfies PrimaryMessage);
  });
}
