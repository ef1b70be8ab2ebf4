import { createOrderSystem, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';

const enabled = await postgresEnabled();
const schemas: string[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

describe.skipIf(!enabled)('postgres: text the database cannot store', () => {
  it.each([
    ['a NUL character', 'bad\u0000name'],
    ['an unpaired surrogate', 'bad\ud800name'],
  ])('refuses %s as a validation error and writes nothing', async (_what, text) => {
    const schema = scratchSchema();
    schemas.push(schema);
    const oms = await createOrderSystem({
      storage: postgresStorage({ connectionString: PG_URL, schema }),
      jobs: inProcessJobs({ logger: silentLogger }),
      logger: silentLogger,
    });
    try {
      await expect(
        oms.orders.create(orderInput({ metadata: { note: text } })),
      ).rejects.toMatchObject({
        code: 'validation_error',
      });
      await expect(
        oms.orders.create(orderInput({ customerId: text.replace('\ud800', '\u0000') })),
      ).rejects.toMatchObject({ code: 'validation_error' });
      expect((await oms.orders.list()).data).toEqual([]);
      expect(await oms.storage.outbox.count()).toBe(0);
    } finally {
      await oms.close();
    }
  });

  it('answers a read by text the database cannot compare as a validation error', async () => {
    const schema = scratchSchema();
    schemas.push(schema);
    const oms = await createOrderSystem({
      storage: postgresStorage({ connectionString: PG_URL, schema }),
      jobs: inProcessJobs({ logger: silentLogger }),
      logger: silentLogger,
    });
    try {
      await oms.inventory.set('MUG', { onHand: 5 });
      await expect(oms.inventory.get('MUG\u0000')).rejects.toMatchObject({
        code: 'validation_error',
      });
      await expect(oms.inventory.movements('MUG\u0000')).rejects.toMatchObject({
        code: 'validation_error',
      });
      expect((await oms.inventory.get('MUG')).onHand).toBe(5);
    } finally {
      await oms.close();
    }
  });
});
