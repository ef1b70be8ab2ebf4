/**
 * The example server (`examples/express/server.ts`) as a real child process:
 * `node --import tsx server.ts`, one process, started and stopped by its pid. Used by the
 * crash-restart and README walk-through tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = join(ROOT, 'examples', 'express', 'server.ts');
/** tsx's ESM loader by absolute URL, so the child may run in any working directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** Base URL from the start banner, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** `kill -9`; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful stop); SIGKILL after `timeoutMs`. Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function exitOf(child: ChildProcess): Promise<void> {
  if (!alive(child)) return;
  await once(child, 'exit');
}

export interface StartOptions {
  /** Working directory: where the default `./data/orderflow.db` is created. */
  cwd: string;
  /** Variables on top of the defaults below (and of this process's environment). */
  env?: Record<string, string>;
  /** How long to wait for the start banner. @default 60000 */
  startTimeoutMs?: number;
}

/**
 * Starts the server on 127.0.0.1 and a port the OS picks (`PORT=0`; the banner names it),
 * SQLite in `cwd` and in-process jobs unless `env` says otherwise, logging warnings only.
 * Rejects with the process's output if it exits or prints no banner in time.
 */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ENTRY], {
    cwd: options.cwd,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'), // the `orderflow` path aliases
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: '',
      REDIS_URL: '',
      ORDERFLOW_API_KEY: '',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      done();
      child.kill('SIGKILL');
      reject(new Error(`server printed no banner in ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        done();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${text}`));
    };
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    child,
    pid: child.pid as number,
    url,
    output: () => text,
    async kill() {
      if (alive(child)) process.kill(child.pid as number, 'SIGKILL');
      await exitOf(child);
    },
    async stop(timeoutMs = 15_000) {
      if (alive(child)) {
        process.kill(child.pid as number, 'SIGTERM');
        const timer = setTimeout(() => {
          if (alive(child)) process.kill(child.pid as number, 'SIGKILL');
        }, timeoutMs);
        await exitOf(child);
        clearTimeout(timer);
      }
      return child.exitCode;
    },
  };
}

/** Kills (SIGKILL, by pid) every server this module started that is still running. */
export async function killServerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (alive(child) && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exitOf(child);
    }),
  );
}
