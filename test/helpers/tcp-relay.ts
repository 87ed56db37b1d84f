/**
 * A TCP relay in front of a real server (Redis) that a test can cut (every connection dropped, new
 * ones refused, as a server that died), start again on the same port, or make stop answering while
 * connections stay open. The server itself keeps running for the suites that share it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private silent = false;

  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.silent = false;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('data', (chunk) => this.silent || upstream.write(chunk));
      upstream.on('data', (chunk) => this.silent || client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Redis is gone: connections drop and new ones are refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Redis no longer answers: connections stay open, nothing passes either way. */
  mute(): void {
    this.silent = true;
  }

  unmute(): void {
    this.silent = false;
  }
}

