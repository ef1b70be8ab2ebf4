import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { configFromEnv } from '../../examples/express/config.js';
import { startServer } from '../../examples/express/start.js';
import { orderBody } from './setup.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const entry = join(root, 'examples', 'express', 'server.ts');

let child: ChildProcess | undefined;
let workDir: string | undefined;

afterEach(() => {
  // The tsx CLI runs the server in a child process: kill the whole process group we made.
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
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

it('npm start serves on SQLite in ./data with a generated key and stops cleanly on SIGTERM', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'orderflow-server-'));
  const output = { text: '' };
  const errors = { text: '' };
  const proc = spawn(tsx, [entry], {
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
    detached: true, // its own process group, so a failed test can kill tsx and the server
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
