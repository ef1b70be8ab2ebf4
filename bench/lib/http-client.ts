/**
 * A minimal HTTP/1.1 keep-alive client for the bench: one request per connection at a time,
 * each written with a single socket write, responses read by their `Content-Length`. On a
 * 2-core machine the client shares the cores with the server and the database, so it has to
 * cost little: `node:http`'s client took about a third of a millisecond of CPU per request
 * (agent, header objects, stream machinery), this one a fraction of that. It speaks only
 * what the example server answers with (no chunked bodies, no redirects).
 */
import { connect, type Socket } from 'node:net';

interface Pending {
  resolve(value: { status: number; body: string }): void;
  reject(error: Error): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');

class Connection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private closed = false;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(request: Buffer): Promise<{ status: number; body: string }> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  get usable(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const bodyStart = headerEnd + HEADER_END.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.buffered.length < bodyEnd) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffered.toString('utf8', bodyStart, bodyEnd);
    this.buffered = this.buffered.subarray(bodyEnd);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ status, body });
  }

  private fail(error: Error): void {
    this.closed = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

export interface BenchHttpClient {
  /** POSTs `body` as JSON; resolves with the parsed JSON answer, rejects on a status ≥ 300. */
  post<T>(path: string, body: unknown): Promise<T>;
  close(): void;
}

/** A client of `base` over at most `sockets` keep-alive connections, sending `headers`. */
export function leanHttpClient(
  base: string,
  sockets: number,
  headers: Record<string, string>,
): BenchHttpClient {
  const { hostname, port } = new URL(base);
  const fixedHeaders = Object.entries({ host: `${hostname}:${port}`, ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const idle: Connection[] = [];
  const all: Connection[] = [];
  const waiting: ((connection: Connection) => void)[] = [];

  const acquire = (): Promise<Connection> => {
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    if (all.length < sockets) {
      const made = new Connection(hostname, Number(port));
      all.push(made);
      return Promise.resolve(made);
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (connection: Connection): void => {
    if (!connection.usable) {
      all.splice(all.indexOf(connection), 1);
      connection = new Connection(hostname, Number(port));
      all.push(connection);
    }
    const next = waiting.shift();
    if (next) next(connection);
    else idle.push(connection);
  };

  return {
    async post<T>(path: string, body: unknown): Promise<T> {
      const payload = Buffer.from(JSON.stringify(body));
      const request = Buffer.concat([
        Buffer.from(
          `POST ${path} HTTP/1.1\r\n${fixedHeaders}content-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n`,
          'latin1',
        ),
        payload,
      ]);
      const connection = await acquire();
      let answer: { status: number; body: string };
      try {
        answer = await connection.send(request);
      } finally {
        release(connection);
      }
      if (answer.status >= 300) throw new Error(`POST ${path}: ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as T;
    },
    close() {
      for (const connection of all) connection.close();
    },
  };
}
