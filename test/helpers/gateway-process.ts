/**
 * `tollgate gateway` as its own process, as a user runs it (from the CLI bundled by cli-bundle.ts):
 * started with an environment of the test's choosing, resolved once it says it is running, with
 * everything it printed at hand (its JSON log lines included).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface GatewayProcess {
  child: ChildProcess;
  /** stdout and stderr as they arrived. */
  output: () => string;
  exited: Promise<number | null>;
  url: string;
}

/** Runs `node <cli> gateway ...args` and resolves once it says it is running (or fails, with its output). */
export async function startGatewayProcess(cli: string, env: Record<string, string>, args: string[] = []): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [cli, 'gateway', ...args], {
    env: { PATH: process.env.PATH, GATEWAY_PORT: '0', HOST: '127.0.0.1', ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    waitFor(() => output.includes('Stop with Ctrl+C'), () => `the gateway did not start: ${output}`),
    exited.then((code) => Promise.reject(new Error(`the gateway exited with ${code}: ${output}`))),
  ]);
  const url = /Gateway {10}(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)![1]!;
  return { child, output: () => output, exited, url };
}

/** Polls `condition` every 20 ms: only for what another process does. `limitMs` bounds the wait, it is no speed requirement. */
export async function waitFor(condition: () => boolean, failure: () => string, limitMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The JSON log lines a process printed with this `msg`. */
export function logLines(output: string, msg: string): { pid: number; level: number; path?: string; port?: number; msg: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line));
}
