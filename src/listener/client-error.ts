/**
 * Answers the errors Node's HTTP parser raises before any handler runs — URL and headers over
 * 16 KB, bytes that are not HTTP, a request not received within its timeout — in the face's own
 * JSON shape, and makes sure the answer reaches the client.
 *
 * Destroying a socket whose input was not all read makes the kernel send a reset (RST) instead of
 * a clean close, and drop any part of the answer it has not sent yet: the client sees "connection
 * reset" rather than the 431. So the socket is taken away from Node's parser, answered, half-closed,
 * and its input read and discarded until the client closes too, or for LINGER_MS at most.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export type ClientErrorStatus = 400 | 408 | 413 | 431;

/** Long enough for a client to read the answer and close; short enough that a peer that keeps sending cannot hold the socket. */
const LINGER_MS = 2_000;

/** Node reports a parser error again for each chunk it had already read; only the first is answered. */
const answered = new WeakSet<Duplex>();

const noop = () => undefined;

function statusOf(code: string | undefined): ClientErrorStatus | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code?.startsWith('HPE_')) return 400;
  // Transport errors (ECONNRESET, EPIPE, ...): nobody is left to read an answer.
  return undefined;
}

/** node:http links the response being written on a socket as `_httpMessage` (its own clientError fallback reads it too). */
function responseStarted(socket: Duplex): boolean {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/** A `clientError` listener answering with `body(status)` (a JSON document). */
export function createClientErrorHandler(body: (status: ClientErrorStatus) => string): (error: Error & { code?: string }, socket: Duplex) => void {
  return (error, socket) => {
    if (answered.has(socket)) return;
    const status = statusOf(error.code);
    if (status === undefined || socket.destroyed || !socket.writable || responseStarted(socket)) {
      // A second status line in the middle of a response would corrupt it: only closing is left.
      socket.destroy();
      return;
    }
    answered.add(socket);
    // Our own 'data' listener makes node:http stop parsing this socket (it unconsumes it), so
    // nothing read from now on can become a request.
    socket.removeAllListeners('data');
    socket.on('data', noop);
    socket.on('error', noop);
    const text = body(status);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(text)}\r\n` +
        'connection: close\r\n\r\n' +
        text,
    );
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('end', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
    socket.resume();
  };
}
