/**
 * Raw TCP conversations with a server, for what HTTP clients never send: partial request lines,
 * trickled headers, oversized heads, bytes that are not HTTP. Reports what came back, whether the
 * connection ended cleanly or was reset, and how long the server kept it open.
 */
import { connect, type Socket } from 'node:net';

export interface RawOutcome {
  /** Everything the server sent, as latin1. */
  text: string;
  /** Milliseconds from the connection to its close (by either side). */
  closedAfterMs: number;
  /** performance.now() at the close. */
  closedAt: number;
  /** The socket error (e.g. ECONNRESET), if the connection did not end cleanly. */
  error: string | undefined;
  /** The server had not closed the connection within the limit (the helper closed it). */
  timedOut: boolean;
}

/**
 * Connects to 127.0.0.1:`port`, lets `drive` write, and resolves once the connection is closed:
 * after the server ends it (the helper then ends its side too), on an error, or after `limitMs`.
 */
export function rawSocket(port: number, drive: (socket: Socket) => void, limitMs = 10_000): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, limitMs);
    socket.on('connect', () => drive(socket));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => socket.end());
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const closedAt = performance.now();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedAfterMs: closedAt - started, closedAt, error, timedOut });
    });
  });
}

/** Writes `line` every `everyMs` until the socket closes: a client that never finishes its headers. */
export function trickle(socket: Socket, first: string, line: string, everyMs: number): void {
  socket.write(first);
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(line);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The first HTTP response in `text` (lower-case header names); undefined if there is none. */
export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4) };
}
