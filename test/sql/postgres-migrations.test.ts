import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, postgresEnabled } from '../support/backends.js';

const run = promisify(execFile);
const enabled = await postgresEnabled();

describe.skipIf(!enabled)('postgres migrations across processes', () => {
  const name = `orderflow_mig_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = () => new pg.Client({ connectionString: PG_URL });
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;

  beforeAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database "${name}"`);
    await client.end();
  });

  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  });

  it('lets two processes migrate one fresh database at once, and both start', async () => {
    const worker = new URL('./migrate-worker.ts', import.meta.url).pathname;
    const start = () =>
      run(process.execPath, ['--import', 'tsx', worker, url.toString()], { timeout: 60_000 });
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.stdout.trim()).toBe('migrated');
    expect(b.stdout.trim()).toBe('migrated');

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const applied = await client.query('select name from orderflow_migrations order by name');
    await client.end();
    expect(applied.rows.map((r) => r.name)).toEqual([
      '0001_initial',
      '0002_dead_letters',
      '0004_shipments',
      '0005_inventory',
      '0006_edits_exchanges',
    ]);
  });
});
