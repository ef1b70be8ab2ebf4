import { postgresStorage } from 'orderflow/adapters/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';

const enabled = await postgresEnabled();
const made: string[] = [];
afterAll(async () => {
  for (const schema of made.splice(0)) await dropSchema(schema);
});

describe.skipIf(!enabled)('postgres: migrating next to other schemas', () => {
  it("creates its tables in the search_path's schema when another schema already has them", async () => {
    const [other, mine] = [scratchSchema(), scratchSchema()];
    made.push(other, mine);
    const first = postgresStorage({ connectionString: PG_URL, schema: other });
    await first.migrate();
    await first.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema "${mine}"`);
    await admin.end();
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${mine}`);
    const storage = postgresStorage({ connectionString: url.toString() });
    try {
      await storage.migrate();
      expect((await storage.orders.list({ limit: 1 })).data).toEqual([]);
    } finally {
      await storage.close();
    }
    const check = new pg.Client({ connectionString: PG_URL });
    await check.connect();
    const { rows } = await check.query(
      'select count(*)::int as n from pg_tables where schemaname = $1',
      [mine],
    );
    await check.end();
    expect(rows[0].n).toBeGreaterThan(5);
  });

  it('migrates a fresh schema while other schemas are dropped around it', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      for (let round = 0; round < 2; round++) {
        // Schemas with tables of their own, as other test runs or tenants would have.
        const others = Array.from({ length: 15 }, () => scratchSchema());
        for (const schema of others) {
          await admin.query(
            `create schema "${schema}"; create table "${schema}".t (id bigserial primary key)`,
          );
        }
        const dropping = (async () => {
          for (const schema of others) await admin.query(`drop schema "${schema}" cascade`);
        })();
        const fresh = Array.from({ length: 3 }, () => scratchSchema());
        made.push(...fresh);
        const migrating = fresh.map(async (schema) => {
          const storage = postgresStorage({ connectionString: PG_URL, schema, maxConnections: 2 });
          try {
            await storage.migrate();
            await storage.ping();
          } finally {
            await storage.close();
          }
        });
        const results = await Promise.allSettled([dropping, ...migrating]);
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      }
    } finally {
      await admin.end();
    }
  }, 60_000);
});
