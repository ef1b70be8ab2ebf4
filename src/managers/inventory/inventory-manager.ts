import { presentStock } from '../../domain/inventory.js';
import { ConcurrencyError, NotFoundError } from '../../errors.js';
import type { Page } from '../../schemas/common.js';
import {
  type AdjustStockInput,
  type AdjustStockOptions,
  adjustStockInput,
  adjustStockOptionsSchema,
  type InventoryItem,
  type ListInventoryQuery,
  type ListMovementsQuery,
  listInventoryQuery,
  listMovementsQuery,
  type SetStockInput,
  type SetStockOptions,
  type StockMovement,
  setStockInput,
  setStockOptionsSchema,
  skuSchema,
} from '../../schemas/inventory.js';
import { parseInput } from '../../schemas/parse.js';
import { idempotent } from '../idempotency.js';
import { adjustStock, setStock } from '../steps/stock.js';
import type { SystemContext } from '../system-context.js';
import { runCommand } from '../unit-of-work.js';

/**
 * Stock per SKU. A SKU with a stock record is tracked: `orders.create` reserves it in the
 * same transaction and cannot take more than is available (unless it allows backorders);
 * cancels and edits release, shipments take it out, received returns put it back. Every
 * change is a movement in the SKU's ledger.
 *
 * ```ts
 * await oms.inventory.set('TSHIRT-M', { onHand: 40 });
 * await oms.inventory.adjust('TSHIRT-M', { delta: -2, reason: 'damaged in the warehouse' });
 * const { available } = await oms.inventory.get('TSHIRT-M');
 * ```
 */
export class InventoryManager {
  constructor(private readonly ctx: SystemContext) {}

  /**
   * Sets the count on hand (e.g. synced from a warehouse system), and whether orders may
   * take more than is available. Starts tracking an untracked SKU. Refused with
   * `insufficient_stock` when the count would not cover the units live orders hold, and with
   * `concurrency_conflict` when `expectedVersion` is not the record's version (0: untracked).
   *
   * ```ts
   * const stock = await oms.inventory.get('MUG');
   * await oms.inventory.set('MUG', { onHand: 12 }, { expectedVersion: stock.version });
   * ```
   */
  async set(
    sku: string,
    input: SetStockInput,
    options: SetStockOptions = {},
  ): Promise<InventoryItem> {
    const key = parseInput(skuSchema, sku, 'sku');
    const data = parseInput(setStockInput, input, 'stock');
    const { expectedVersion } = parseInput(setStockOptionsSchema, options, 'options');
    return runCommand(this.ctx, async (uow) => {
      if (expectedVersion !== undefined) {
        const current = await uow.tx.inventory.get(key, { forUpdate: true });
        assertStockVersion(key, current?.version ?? 0, expectedVersion);
      }
      return presentStock(await setStock(uow, key, data));
    });
  }

  /**
   * Changes the count on hand of a tracked SKU by `delta`, with a reason kept in the ledger.
   * NotFoundError for an untracked SKU; `insufficient_stock` when it would take away more
   * than is available (unless backorders are allowed); `concurrency_conflict` when
   * `expectedVersion` is not the record's version. With an `idempotencyKey` a retry replays
   * the first result instead of adjusting twice.
   *
   * ```ts
   * await oms.inventory.adjust('MUG', { delta: 24, reason: 'delivery 4711' }, { idempotencyKey: 'dlv-4711' });
   * ```
   */
  async adjust(
    sku: string,
    input: AdjustStockInput,
    options: AdjustStockOptions = {},
  ): Promise<InventoryItem> {
    const key = parseInput(skuSchema, sku, 'sku');
    const { delta, reason } = parseInput(adjustStockInput, input, 'adjustment');
    const { idempotencyKey, expectedVersion } = parseInput(
      adjustStockOptionsSchema,
      options,
      'options',
    );
    return idempotent(
      this.ctx,
      'inventory.adjust',
      idempotencyKey,
      { sku: key, delta, reason },
      (idem) =>
        runCommand(this.ctx, async (uow) => {
          const record = await uow.tx.inventory.get(key, { forUpdate: true });
          if (!record) throw new NotFoundError('inventory', key);
          if (expectedVersion !== undefined) {
            assertStockVersion(key, record.version, expectedVersion);
          }
          const stock = presentStock(await adjustStock(uow, record, delta, reason));
          await idem.finish(uow.tx, { result: stock });
          return stock;
        }),
    );
  }

  /** The SKU's stock; NotFoundError when it is not tracked. */
  async get(sku: string): Promise<InventoryItem> {
    const key = parseInput(skuSchema, sku, 'sku');
    const record = await this.ctx.storage.inventory.get(key);
    if (!record) throw new NotFoundError('inventory', key);
    return presentStock(record);
  }

  /** Tracked SKUs in order; `belowAvailable: n` keeps those whose available is below n. */
  async list(query: ListInventoryQuery = {}): Promise<Page<InventoryItem>> {
    const q = parseInput(listInventoryQuery, query, 'query');
    const page = await this.ctx.storage.inventory.list(q);
    return { data: page.data.map(presentStock), nextCursor: page.nextCursor };
  }

  /** The SKU's ledger, newest first; summing it gives `onHand` and `reserved`. */
  async movements(sku: string, query: ListMovementsQuery = {}): Promise<Page<StockMovement>> {
    const key = parseInput(skuSchema, sku, 'sku');
    const q = parseInput(listMovementsQuery, query, 'query');
    if (!(await this.ctx.storage.inventory.get(key))) throw new NotFoundError('inventory', key);
    return this.ctx.storage.inventory.movements(key, q);
  }
}

/** `concurrency_conflict` unless the stock record is at `expected` (0: not tracked yet). */
function assertStockVersion(sku: string, actual: number, expected: number): void {
  if (actual !== expected) throw new ConcurrencyError('inventory', sku, expected, actual);
}
