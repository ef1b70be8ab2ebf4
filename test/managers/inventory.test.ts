import { isReplayed } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

const cups = (quantity: number) =>
  orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 }] });

describe('inventory.set and adjust', () => {
  it('tracks a SKU from its first set, with a set movement of the count', async () => {
    const { oms } = await testSystem();
    const created = await oms.inventory.set('CUP', { onHand: 12 });
    expect(created).toMatchObject({
      sku: 'CUP',
      onHand: 12,
      reserved: 0,
      available: 12,
      allowBackorder: false,
      version: 1,
    });
    const recount = await oms.inventory.set('CUP', { onHand: 9, allowBackorder: true });
    expect(recount).toMatchObject({ onHand: 9, allowBackorder: true, version: 2 });
    const same = await oms.inventory.set('CUP', { onHand: 9 });
    expect(same).toEqual(recount);
    const { data } = await oms.inventory.movements('CUP');
    expect(data.map((m) => [m.reason, m.onHandDelta, m.reservedDelta])).toEqual([
      ['set', -3, 0],
      ['set', 12, 0],
    ]);
  });

  it('adjusts by a delta with its reason in the ledger, and refuses to take away more than is available', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 5 });
    await oms.orders.create(cups(3));
    const adjusted = await oms.inventory.adjust('CUP', { delta: -2, reason: 'cycle count' });
    expect(adjusted).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    expect((await oms.inventory.movements('CUP', { limit: 1 })).data[0]).toMatchObject({
      reason: 'adjust',
      onHandDelta: -2,
      note: 'cycle count',
    });
    await expect(
      oms.inventory.adjust('CUP', { delta: -1, reason: 'broken' }),
    ).rejects.toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'CUP', requested: 1, available: 0 },
    });
    await expect(oms.inventory.set('CUP', { onHand: 2 })).rejects.toMatchObject({
      code: 'insufficient_stock',
    });
    await expect(oms.inventory.adjust('MUG', { delta: 1, reason: 'found' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('names an untracked SKU when its stock or its ledger is asked for', async () => {
    const { oms } = await testSystem();
    const notFound = { code: 'not_found', details: { entity: 'inventory', id: 'LAMP' } };
    await expect(oms.inventory.get('LAMP')).rejects.toMatchObject(notFound);
    await expect(oms.inventory.movements('LAMP')).rejects.toMatchObject(notFound);
  });

  it('adjusts once per idempotency key: a retry replays, other input under the key is refused', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 5 });
    const delivery = { delta: 24, reason: 'delivery 4711' };
    const first = await oms.inventory.adjust('CUP', delivery, { idempotencyKey: 'dlv-4711' });
    const again = await oms.inventory.adjust('CUP', delivery, { idempotencyKey: 'dlv-4711' });
    expect(first).toMatchObject({ onHand: 29, available: 29 });
    expect(again).toEqual(first);
    expect(isReplayed(again)).toBe(true);
    await expect(
      oms.inventory.adjust('CUP', { ...delivery, delta: 25 }, { idempotencyKey: 'dlv-4711' }),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect(await oms.inventory.get('CUP')).toMatchObject({ onHand: 29 });
    const ledger = await oms.inventory.movements('CUP');
    expect(ledger.data.filter((m) => m.reason === 'adjust')).toHaveLength(1);
  });

  it('applies set and adjust only to the expected version when one is given', async () => {
    const { oms } = await testSystem();
    await expect(
      oms.inventory.set('CUP', { onHand: 5 }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({
      code: 'concurrency_conflict',
      details: { entity: 'inventory', id: 'CUP', expectedVersion: 1, actualVersion: 0 },
    });
    const created = await oms.inventory.set('CUP', { onHand: 5 }, { expectedVersion: 0 });
    await oms.orders.create(cups(1)); // the reservation moves the version on
    await expect(
      oms.inventory.set('CUP', { onHand: 9 }, { expectedVersion: created.version }),
    ).rejects.toMatchObject({ code: 'concurrency_conflict' });
    await expect(
      oms.inventory.adjust(
        'CUP',
        { delta: 1, reason: 'found' },
        { expectedVersion: created.version },
      ),
    ).rejects.toMatchObject({ code: 'concurrency_conflict' });
    const now = await oms.inventory.get('CUP');
    expect(now).toMatchObject({ onHand: 5, reserved: 1 });
    expect((await oms.inventory.movements('CUP')).data).toHaveLength(2);
    const adjusted = await oms.inventory.adjust(
      'CUP',
      { delta: 1, reason: 'found' },
      { expectedVersion: now.version },
    );
    const set = await oms.inventory.set(
      'CUP',
      { onHand: 9 },
      { expectedVersion: adjusted.version },
    );
    expect(set).toMatchObject({ onHand: 9, reserved: 1, version: adjusted.version + 1 });
  });

  it('refuses bad input with a validation error naming the field, and writes nothing', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 5 });
    const cases: [() => Promise<unknown>, (string | number)[]][] = [
      [() => oms.inventory.set('CUP', { onHand: -1 }), ['onHand']],
      [() => oms.inventory.set('CUP', { onHand: 1.5 }), ['onHand']],
      [() => oms.inventory.set('CUP', { onHand: 1, extra: true } as never), ['extra']],
      [() => oms.inventory.set('X'.repeat(101), { onHand: 1 }), []],
      [() => oms.inventory.adjust('CUP', { delta: 0.5, reason: 'x' }), ['delta']],
      [() => oms.inventory.adjust('CUP', { delta: 0, reason: 'x' }), ['delta']],
      [() => oms.inventory.adjust('CUP', { delta: 1 } as never), ['reason']],
      [() => oms.inventory.list({ belowAvailable: 'many' as never }), ['belowAvailable']],
      [() => oms.inventory.list({ below: 3 } as never), ['below']],
    ];
    for (const [call, path] of cases) {
      await expect(call()).rejects.toMatchObject({
        code: 'validation_error',
        details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
      });
    }
    expect(await oms.inventory.get('CUP')).toMatchObject({ onHand: 5, version: 1 });
    expect((await oms.inventory.movements('CUP')).data).toHaveLength(1);
  });
});

describe('reservations follow the order', () => {
  it('releases what a cancelled order held, also when the unpaid order expires', async () => {
    const { oms, clock } = await testSystem({ config: { unpaidOrderTtlMinutes: 30 } });
    await oms.inventory.set('CUP', { onHand: 5 });
    const kept = await oms.orders.create(cups(2));
    const dropped = await oms.orders.create(cups(1));
    await oms.orders.cancel(dropped.id);
    expect((await oms.inventory.get('CUP')).reserved).toBe(2);

    clock.advance(31 * 60_000);
    await oms.idle();
    expect((await oms.orders.get(kept.id)).state).toBe('cancelled');
    expect(await oms.inventory.get('CUP')).toMatchObject({ reserved: 0, available: 5 });
    const reasons = (await oms.inventory.movements('CUP')).data.map((m) => m.reason);
    expect(reasons).toEqual(['release', 'release', 'reserve', 'reserve', 'set']);
  });

  it('reserves per SKU across lines of the same SKU', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 4 });
    await expect(
      oms.orders.create(
        orderInput({
          items: [
            { sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 },
            { sku: 'CUP', name: 'Cup (gift wrapped)', quantity: 2, unitPrice: 1100 },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      code: 'insufficient_stock',
      details: { requested: 5, available: 4 },
    });
  });

  it('lists SKUs whose available is below a bound', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('A', { onHand: 1 });
    await oms.inventory.set('B', { onHand: 10 });
    await oms.inventory.set('C', { onHand: 0 });
    const low = await oms.inventory.list({ belowAvailable: 2 });
    expect(low.data.map((s) => s.sku)).toEqual(['A', 'C']);
    expect((await oms.inventory.list({ limit: 2 })).nextCursor).not.toBeNull();
  });
});
