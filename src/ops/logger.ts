/**
 * The one place a process's logger is made (the HTTP server's, the gateway node's, the cluster
 * primary's), so all decide alike where lines go and how they look: JSON lines for machines (stdout
 * that is a pipe or a file, as log collectors read it), `HH:MM:SS INFO message key=value` for
 * people (stdout that is a terminal). Tests pass a stream of their own and always get JSON.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { createPrettyStream } from '../cli/pretty-log.js';

export interface LoggerOptions {
  level: string;
  /** Where lines go (tests); default stdout, pretty when it is a terminal. */
  stream?: NodeJS.WritableStream | undefined;
  /** pino's `name` field (the cluster primary says it is one). */
  name?: string;
}

/** Never logged, even at debug level: credentials in the requests Fastify logs. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["ocp-apim-subscription-key"]'];

export function createLogger(options: LoggerOptions): Logger {
  const settings = { level: options.level, redact: REDACT, ...(options.name ? { name: options.name } : {}) };
  return pino(settings, (options.stream ?? defaultDestination()) as DestinationStream);
}

/**
 * stdout, formatted for people when it is a terminal. process.stdout itself, not a writer of pino's
 * own on fd 1: the lines then keep their order with what the CLI prints there (tests and people
 * read "gateway listening" before "Stop with Ctrl+C").
 */
function defaultDestination(): NodeJS.WritableStream {
  return process.stdout.isTTY ? createPrettyStream(process.stdout, { color: process.stdout.hasColors?.() ?? false }) : process.stdout;
}
