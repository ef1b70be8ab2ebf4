/**
 * Child processes for the reliability tests: orderflow workers (see worker-process.ts) and a
 * private redis-server, each started and stopped by pid — never a shared service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerEnv {
  ORDERFLOW_PG_URL: string;
  ORDERFLOW_PG_SCHEMA: string;
  ORDERFLOW_REDIS_URL: string;
  ORDERFLOW_BULLMQ_PREFIX: string;
  ORDERFLOW_PROVIDER_LATENCY_MS?: string;
  ORDERFLOW_KILL_ON_ENQUEUE?: string;
  ORDERFLOW_START_JOBS?: string;
  ORDERFLOW_LOCK_MS?: string;
  ORDERFLOW_WORKER_NAME?: string;
}

export interface Worker {
  child: ChildProcess;
  /** Lines the worker printed (JSON replies and `ready`). */
  lines: string[];
  send(command: object): void;
  /** Resolves with the first printed line that matches. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startWorker(env: WorkerEnv): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const worker: Worker = {
    child,
    lines,
    send: (command) => child.stdin?.write(`${JSON.stringify(command)}\n`),
    waitFor(match, timeoutMs = 30_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('worker: timed out waiting for a line')),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code ?? signal}) before the expected line`));
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
  await worker.waitFor((l) => l === 'ready', 60_000);
  return worker;
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of this test's own on a free port (no persistence), stopped by its pid. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout?.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start')), 10_000);
      child?.stdout?.on('data', (chunk: string) => {
        if (chunk.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child?.once('exit', () => reject(new Error('redis-server exited at start')));
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
