import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { postgresStorage } from 'orderflow/adapters/postgres';
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
      '0007_json_text',
      '0008_provider_events',
    ]);
  });

  it('migrates a schema while other sessions drop theirs', async () => {
    // kysely's introspector reads every schema of the database: one dropped meanwhile
    // must not fail the migration of ours.
    const db = url.toString();
    const setup = new pg.Client({ connectionString: db });
    await setup.connect();
    let stop = false;
    const churning = (async () => {
      for (let n = 0; !stop; n++) {
        const other = `other_${n}`;
        await setup.query(`create schema "${other}"`);
        await setup.query(`create table "${other}".t (id serial primary key, v text)`);
        await setup.query(`drop schema "${other}" cascade`);
      }
    })();
    try {
      for (let n = 0; n < 8; n++) {
        const storage = postgresStorage({ connectionString: db, schema: `mine_${n}` });
        try {
          await storage.migrate();
        } finally {
          await storage.close();
        }
      }
    } finally {
      stop = true;
      await churning;
      await setup.end();
    }
  });

  it('migrates the search_path schema while another schema already holds orderflow tables', async () => {
    const db = url.toString();
    const other = postgresStorage({ connectionString: db, schema: 'tenant_a' });
    await other.migrate();
    await other.close();
    const setup = new pg.Client({ connectionString: db });
    await setup.connect();
    await setup.query('create schema tenant_b');
    await setup.end();
    const viaSearchPath = new URL(db);
    viaSearchPath.searchParams.set('options', '-c search_path=tenant_b');
    const storage = postgresStorage({ connectionString: viaSearchPath.toString() });
    try {
      await storage.migrate();
      await storage.migrate(); // and again: a no-op
      expect((await storage.orders.list({ limit: 1 })).data).toEqual([]);
    } finally {
      await storage.close();
    }
    const check = new pg.Client({ connectionString: db });
    await check.connect();
    const { rows } = await check.query(
      "select count(*)::int as n from pg_tables where schemaname = 'tenant_b' and tablename = 'orderflow_orders'",
    );
    await check.end();
    expect(rows[0].n).toBe(1);
  });
});

describe.skipIf(!enabled)('postgres storage on a database that does not exist', () => {
  it('says so, and how to create it', async () => {
    const name = `orderflow_absent_${randomBytes(4).toString('hex')}`;
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const storage = postgresStorage({ connectionString: url.toString() });
    try {
      const error = await storage.migrate().catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'ConfigurationError',
        code: 'configuration_error',
        message: expect.stringContaining(`The Postgres database "${name}" does not exist`),
      });
      expect((error as Error).message).toContain(`createdb ${name}`);
      expect((error as Error).message).toContain(`CREATE DATABASE "${name}"`);
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('3D000');
    } finally {
      await storage.close();
    }
  });
});
