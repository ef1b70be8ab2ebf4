import { presentStock } from '../../domain/inventory.js';
import { NotFoundError } from '../../errors.js';
import { type CommandOptions, commandOptionsSchema, type Page } from '../../schemas/common.js';
import {
  type AdjustStockInput,
  adjustStockInput,
  type InventoryItem,
  type ListInventoryQuery,
  type ListMovementsQuery,
  listInventoryQuery,
  listMovementsQuery,
  type SetStockInput,
  type StockMovement,
  setStockInput,
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
   * `insufficient_stock` when the count would not cover the units live orders hold.
   */
  async set(sku: string, input: SetStockInput): Promise<InventoryItem> {
    const key = parseInput(skuSchema, sku, 'sku');
    const data = parseInput(setStockInput, input, 'stock');
    return runCommand(this.ctx, async (uow) => presentStock(await setStock(uow, key, data)));
  }

  /**
   * Changes the count on hand of a tracked SKU by `delta`, with a reason kept in the ledger.
   * NotFoundError for an untracked SKU; `insufficient_stock` when it would take away more
   * than is available (unless backorders are allowed). With an `idempotencyKey` a retry
   * replays the first result instead of adjusting twice.
   *
   * ```ts
   * await oms.inventory.adjust('MUG', { delta: 24, reason: 'delivery 4711' }, { idempotencyKey: 'dlv-4711' });
   * ```
   */
  async adjust(
    sku: string,
    input: AdjustStockInput,
    options: CommandOptions = {},
  ): Promise<InventoryItem> {
    const key = parseInput(skuSchema, sku, 'sku');
    const { delta, reason } = parseInput(adjustStockInput, input, 'adjustment');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    return idempotent(
      this.ctx,
      'inventory.adjust',
      idempotencyKey,
      { sku: key, delta, reason },
      (idem) =>
        runCommand(this.ctx, async (uow) => {
          const record = await uow.tx.inventory.get(key, { forUpdate: true });
          if (!record) throw new NotFoundError('inventory', key);
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
