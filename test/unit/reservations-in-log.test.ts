import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { reserveStock } from '../../src/managers/steps/stock.js';
import type { SystemContext } from '../../src/managers/system-context.js';
import { UnitOfWork } from '../../src/managers/unit-of-work.js';
import type { CommandLog, GetOptions, Repositories } from '../../src/ports/storage.js';
import type { InventoryRecord } from '../../src/schemas/inventory.js';

const AT = '2026-01-01T00:00:00.000Z';

/**
 * A store that reserves in its log (as Postgres does), with 10 CUPs on hand, recording the
 * calls that would be statements.
 */
function store(stockWritesInLog = true, skus: readonly string[] = ['CUP']) {
  const calls: string[] = [];
  const records = new Map<string, InventoryRecord>(
    skus.map((sku) => [
      sku,
      {
        sku,
        onHand: 10,
        reserved: 0,
        allowBackorder: false,
        version: 1,
        createdAt: AT,
        updatedAt: AT,
      },
    ]),
  );
  const tx = {
    stockWritesInLog,
    stockReservationsInLog: true,
    async appendLog(log: CommandLog) {
      const reservations = log.reservations ?? [];
      const events = log.events.map((e) => e.name);
      calls.push(
        `appendLog reserve [${reservations.map((r) => `${r.sku}:${r.quantity}`)}] events [${events}] movements ${log.movements.length}`,
      );
      if (reservations.length === 0) return undefined;
      return {
        reserved: reservations.map((r) => {
          const record = records.get(r.sku)!;
          record.reserved += r.quantity;
          record.version++;
          return { ...record };
        }),
      };
    },
    inventory: {
      // In the store's order (its collation's), whatever order the SKUs come in.
      async getMany(wanted: readonly string[], options?: GetOptions) {
        calls.push(`inventory.getMany${options?.forUpdate ? ' for update' : ''}`);
        return [...records.values()].filter((r) => wanted.includes(r.sku)).map((r) => ({ ...r }));
      },
    },
    outbox: {
      async insert(events: { name: string }[]) {
        calls.push(`outbox.insert [${events.map((e) => e.name)}]`);
      },
    },
  };
  return { calls, tx: tx as unknown as Repositories };
}

function unitOfWork(tx: Repositories, lowStockThreshold: number): UnitOfWork {
  const ctx = {
    clock: { now: () => Date.parse(AT) },
    config: resolveConfig({ inventory: { lowStockThreshold } }),
    outboxLeaseMs: 30_000,
  } as unknown as SystemContext;
  return new UnitOfWork(tx, ctx);
}

describe('stock reservations left to the log', () => {
  it('are made with the log, after an unlocked read, and their low-stock event written after it', async () => {
    const { calls, tx } = store();
    const uow = unitOfWork(tx, 9);

    await reserveStock(uow, 'ord_1', new Map([['CUP', 2]]));
    await uow.writeLog();

    expect(calls).toEqual([
      'inventory.getMany',
      'appendLog reserve [CUP:2] events [] movements 1',
      'outbox.insert [inventory.low_stock]',
    ]);
    expect(uow.events.map((e) => e.name)).toEqual(['inventory.low_stock']);
  });

  it('are made before a later read of stock in the same command, which then sees them', async () => {
    // Also where the store writes other stock changes at once.
    const { calls, tx } = store(false);
    const uow = unitOfWork(tx, 9);

    await reserveStock(uow, 'ord_1', new Map([['CUP', 2]]));
    const [locked] = await uow.tx.inventory.getMany!(['CUP'], { forUpdate: true });
    await uow.writeLog();

    expect(locked?.reserved).toBe(2);
    expect(calls).toEqual([
      'inventory.getMany',
      'appendLog reserve [CUP:2] events [] movements 0',
      'inventory.getMany for update',
      // The low-stock event goes with the command's log, once.
      'appendLog reserve [] events [inventory.low_stock] movements 1',
    ]);
  });

  it('are made in the order the store reads the records, the order its locks are taken in', async () => {
    // A collation that puts lower case first, unlike JavaScript's order.
    const { calls, tx } = store(true, ['cup', 'CUP-B', 'PLATE']);
    const uow = unitOfWork(tx, 0);

    await reserveStock(
      uow,
      'ord_1',
      new Map([
        ['PLATE', 1],
        ['CUP-B', 2],
        ['cup', 3],
      ]),
    );
    await uow.writeLog();

    expect(calls).toEqual([
      'inventory.getMany',
      'appendLog reserve [cup:3,CUP-B:2,PLATE:1] events [] movements 3',
    ]);
  });
});
