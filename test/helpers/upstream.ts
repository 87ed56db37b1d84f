/**
 * A local HTTP server standing for the backend behind the gateway: it records every request it
 * gets (method, url, headers, body) and answers 200 with JSON (`{"ok":true,"path":<url>}` unless
 * told otherwise), so that a test can check what the gateway forwarded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  readonly server: Server;
  /** http://127.0.0.1:<port>, without a trailing slash. */
  readonly url: string;
  /** Every request received, in order. */
  readonly seen: UpstreamRequest[];
  close(): Promise<void>;
}

/** Starts the upstream on a free port of 127.0.0.1; `answer` gives the JSON body of the replies. */
export async function startUpstream(answer: (request: UpstreamRequest) => unknown = (request) => ({ ok: true, path: request.url })): Promise<Upstream> {
  const seen: UpstreamRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(request);
      const body = JSON.stringify(answer(request));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { server, url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
