/**
 * Log lines for people: pino's JSON lines turned into `HH:MM:SS INFO message key=value ...` (local
 * time), for a terminal. Machines (a pipe, a file, a log collector) get the JSON as it is; the
 * choice is made once, in src/ops/logger.ts. Our own few lines rather than pino-pretty: no
 * dependency, and only what our lines hold.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<string, string> = { TRACE: '90', DEBUG: '36', INFO: '32', WARN: '33', ERROR: '31', FATAL: '35' };
/** pino's bookkeeping, said by the line's start or not worth a terminal's width. */
const LEFT_OUT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

export interface PrettyOptions {
  /** ANSI colour for the level (a terminal). */
  color?: boolean;
}

const two = (n: number) => String(n).padStart(2, '0');

/** A value as `key=value` shows it: bare when it is one plain word, else quoted (JSON). */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One JSON line as people read it; a line that is not a JSON object comes back as it was. */
export function formatLogLine(line: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time) : undefined;
  const clock = time ? `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}` : '--:--:--';
  const level = (typeof entry.level === 'number' ? LEVELS[entry.level] : undefined) ?? String(entry.level ?? 'LOG').toUpperCase();
  const parts = [clock, options.color && COLORS[level] ? `\u001b[${COLORS[level]}m${level}\u001b[0m` : level];
  if (typeof entry.msg === 'string') parts.push(entry.msg);
  let stack: string | undefined;
  for (const [key, value] of Object.entries(entry)) {
    if (LEFT_OUT.has(key) || value === undefined) continue;
    // An error: its message inline, its stack on the lines below (where people look for it).
    if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { stack?: unknown }).stack === 'string') {
      parts.push(`${key}=${show((value as { message: string }).message)}`);
      stack = (value as { stack: string }).stack;
      continue;
    }
    parts.push(`${key}=${show(value)}`);
  }
  const head = parts.join(' ');
  return stack ? `${head}\n${stack.split('\n').map((l) => `    ${l.trim()}`).join('\n')}` : head;
}

/** A stream pino can write to that writes each line, formatted, to `out`. */
export function createPrettyStream(out: NodeJS.WritableStream, options: PrettyOptions = {}): Writable {
  let partial = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const text = partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      const lines = text.split('\n');
      partial = lines.pop()!;
      const shown = lines.filter((l) => l !== '').map((l) => formatLogLine(l, options) + '\n');
      if (shown.length > 0) out.write(shown.join(''));
      done();
    },
    final(done) {
      if (partial !== '') out.write(formatLogLine(partial, options) + '\n');
      partial = '';
      done();
    },
  });
}
