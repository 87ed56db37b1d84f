/**
 * Log lines for people: pino's JSON lines (from a real pino logger) as `HH:MM:SS LEVEL message
 * key=value`, local time, quoted values where needed, an error's stack below its line, and
 * anything that is not a JSON line passed through as it was.
 */
import pino from 'pino';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createPrettyStream, formatLogLine } from '../../src/cli/pretty-log.js';

// 03:04:05 local time, whatever the machine's zone.
const AT = new Date(2026, 0, 2, 3, 4, 5).getTime();

describe('formatLogLine', () => {
  it('shows the time, the level, the message and the other fields, leaving out pino\'s bookkeeping', () => {
    const line = JSON.stringify({ level: 30, time: AT, pid: 42, hostname: 'h', msg: 'gateway listening', port: 8000, host: '127.0.0.1' });
    expect(formatLogLine(line)).toBe('03:04:05 INFO gateway listening port=8000 host=127.0.0.1');
  });

  it('quotes strings with spaces or quotes, shows objects as JSON, names every level', () => {
    const line = JSON.stringify({ level: 40, time: AT, msg: 'careful', note: 'two words', q: 'say "hi"', empty: '', req: { method: 'GET', url: '/x' }, ok: true, none: null });
    expect(formatLogLine(line)).toBe('03:04:05 WARN careful note="two words" q="say \\"hi\\"" empty="" req={"method":"GET","url":"/x"} ok=true none=null');
    for (const [level, name] of [[10, 'TRACE'], [20, 'DEBUG'], [50, 'ERROR'], [60, 'FATAL']] as const) {
      expect(formatLogLine(JSON.stringify({ level, time: AT, msg: 'm' }))).toBe(`03:04:05 ${name} m`);
    }
  });

  it('puts an error\'s message on the line and its stack below', () => {
    const line = JSON.stringify({ level: 50, time: AT, msg: 'failed', err: { type: 'Error', message: 'boom here', stack: 'Error: boom here\n    at f (a.js:1:2)' } });
    expect(formatLogLine(line)).toBe('03:04:05 ERROR failed err="boom here"\n    Error: boom here\n    at f (a.js:1:2)');
  });

  it('colours the level for a terminal', () => {
    expect(formatLogLine(JSON.stringify({ level: 30, time: AT, msg: 'm' }), { color: true })).toBe('03:04:05 \u001b[32mINFO\u001b[0m m');
  });

  it('passes a line that is not a JSON object through', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('[1,2]')).toBe('[1,2]');
  });
});

describe('createPrettyStream', () => {
  it('formats what a real pino logger writes, line by line, however the chunks fall', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const pretty = createPrettyStream(out);
    const logger = pino({ level: 'info', timestamp: () => `,"time":${AT}` }, pretty);
    logger.info({ api: 'echo' }, 'first');
    logger.debug('not shown');
    logger.warn('second');
    // A line split across writes is held until its end arrives.
    pretty.write('{"level":30,"time":' + AT);
    pretty.write(',"msg":"third"}\n');
    await new Promise<void>((resolve) => pretty.end(resolve));
    expect(text).toBe('03:04:05 INFO first api=echo\n03:04:05 WARN second\n03:04:05 INFO third\n');
  });
});
