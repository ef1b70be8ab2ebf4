import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { configFromEnv } from '../../examples/express/config.js';
import { startServer } from '../../examples/express/start.js';
import { orderBody } from './setup.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = join(root, 'examples', 'express', 'server.ts');
/** tsx's ESM loader by absolute URL, so the server may run in any working directory. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let child: ChildProcess | undefined;
let workDir: string | undefined;

afterEach(() => {
  // npm runs the server in a child process: kill the whole process group we made, also
  // when its first process is gone but others outlived it.
  if (child?.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child = undefined;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
});

/** Resolves with the first match of `pattern` in the child's stdout (kept in `output`). */
function waitFor(proc: ChildProcess, pattern: RegExp, output: { text: string }) {
  return new Promise<RegExpMatchArray>((resolve, reject) => {
    const seen = output.text.match(pattern);
    if (seen) {
      resolve(seen);
      return;
    }
    // The text itself is collected by a listener attached at spawn, which runs first.
    const onData = () => {
      const match = output.text.match(pattern);
      if (match) {
        proc.stdout?.off('data', onData);
        resolve(match);
      }
    };
    proc.stdout?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output.text}`)));
  });
}

it('the server serves on SQLite in ./data with a generated key and stops cleanly on SIGTERM', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'orderflow-server-'));
  const output = { text: '' };
  const errors = { text: '' };
  const proc = spawn(process.execPath, ['--import', tsxLoader, entry], {
    cwd: workDir, // so ./data/orderflow.db lands in a scratch directory
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
      PORT: '0',
      DATABASE_URL: '',
      REDIS_URL: '',
      ORDERFLOW_API_KEY: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a failed test can kill everything it started
  });
  child = proc;
  proc.stdout?.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    errors.text += chunk.toString();
  });

  const [, url] = await waitFor(proc, /listening on (http:\/\/localhost:\d+)/, output);
  const [, key] = await waitFor(proc, /API key \(generated[^)]*\): (\S+)/, output);
  expect(output.text).toMatch(/SQLite \(\.\/data\/orderflow\.db\) \+ in-process jobs/);
  expect(output.text).toMatch(/FAKE provider/);
  expect(output.text).toMatch(/FAKE carrier/);
  expect(existsSync(join(workDir, 'data', 'orderflow.db'))).toBe(true);

  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok', storage: 'ok', jobs: 'ok' });

  const created = await fetch(`${url}/api/v1/orders`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(orderBody()),
  });
  expect(created.status).toBe(201);
  const denied = await fetch(`${url}/api/v1/orders`);
  expect(denied.status).toBe(401);

  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output.text).toMatch(/stopped/);
  expect(errors.text).toBe('');
}, 30_000);

/** Whether any process of the process group `pgid` is still running. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

it('`npm start`, signalled with SIGTERM itself, drains the server and every process exits', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'orderflow-npm-start-'));
  const output = { text: '' };
  // Exactly what a container runtime or systemd does: start `npm start`, signal that pid.
  const proc = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(workDir, 'shop.db')}`,
      REDIS_URL: '',
      ORDERFLOW_API_KEY: 'npm_start_test_key',
      ORDERFLOW_SHUTDOWN_DELAY_MS: '1500',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: the test can see whether anything outlives npm
  });
  child = proc;
  const pgid = proc.pid!;
  proc.stdout?.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  const [, url] = await waitFor(proc, /listening on (http:\/\/127\.0\.0\.1:\d+)/, output);
  const auth = { Authorization: 'Bearer npm_start_test_key', 'Content-Type': 'application/json' };
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);

  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  process.kill(proc.pid!, 'SIGTERM');

  // Draining: not ready, still alive and serving, for ORDERFLOW_SHUTDOWN_DELAY_MS.
  await waitFor(proc, /SIGTERM received/, output);
  const ready = await fetch(`${url}/health/ready`);
  expect(ready.status).toBe(503);
  expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(await ready.json()).toMatchObject({ status: 'draining' });
  expect((await fetch(`${url}/health/live`)).status).toBe(200);
  const created = await fetch(`${url}/api/v1/orders`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(orderBody()),
  });
  expect(created.status).toBe(201);

  expect(await exited).toBe(0);
  expect(output.text).toMatch(/orderflow example server stopped/);
  // Nothing outlives npm: not the server, not a helper process.
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
  expect(groupAlive(pgid), `processes left in group ${pgid}`).toBe(false);
  await expect(fetch(`${url}/health/live`)).rejects.toThrow();
}, 60_000);

it('startServer creates the SQLite directory, serves, and closes the system on close()', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'orderflow-start-'));
  const filename = join(workDir, 'nested', 'dir', 'shop.db');
  const config = configFromEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${filename}`,
  });
  const running = await startServer({ ...config, apiKey: 'k' }, pino({ level: 'silent' }));
  try {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(filename)).toBe(true);
    const res = await fetch(`${running.url}/api/v1/orders`, {
      method: 'POST',
      headers: { Authorization: 'Bearer k', 'Content-Type': 'application/json' },
      body: JSON.stringify(orderBody()),
    });
    expect(res.status).toBe(201);
  } finally {
    await running.close();
  }
  expect(running.server.listening).toBe(false);
  await expect(running.oms.storage.ping()).rejects.toThrow();
});
