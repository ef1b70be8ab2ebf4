/**
 * The example server as users run it (`npm start`: Node with the tsx loader, request logs
 * at info level to stdout), started as a child process on the run's Postgres database, and
 * a lean keep-alive HTTP client for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchHttpClient, leanHttpClient } from './http-client.js';
import { round } from './measure.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API_KEY = 'ofk_bench_key_0123456789abcdef';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface ServerStart {
  databaseUrl: string;
  /** Extra Node arguments, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Run this entry instead of the TypeScript server through tsx (e.g. a compiled bundle). */
  entry?: string;
  env?: Record<string, string>;
}

export async function startServerProcess(options: ServerStart): Promise<ServerProcess> {
  const args = options.entry
    ? [...(options.nodeArgs ?? []), options.entry]
    : [...(options.nodeArgs ?? []), '--import', 'tsx', 'examples/express/server.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ORDERFLOW_API_KEY: API_KEY,
      REDIS_URL: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        // Keep draining the request log, as a terminal or log shipper would.
        child.stdout!.resume();
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}${out}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A JSON client of the server with its API key, over at most `sockets` connections. */
export function httpClient(base: string, sockets: number): BenchHttpClient {
  return leanHttpClient(base, sockets, { authorization: `Bearer ${API_KEY}` });
}

/**
 * CPU time (user + system, in ms) process `pid` has used so far, from `/proc/<pid>/stat`
 * in clock ticks of 10 ms (Linux); undefined where there is no such file.
 */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring the CPU process `pid` uses: `msPerOp(ops)` is what it used since, per
 * operation (undefined where `processCpuMs` cannot tell).
 */
export function cpuMeter(pid: number): { msPerOp(ops: number): number | undefined } {
  const before = processCpuMs(pid);
  return {
    msPerOp(ops) {
      const after = processCpuMs(pid);
      if (before === undefined || after === undefined) return undefined;
      return round((after - before) / ops, 3);
    },
  };
}
