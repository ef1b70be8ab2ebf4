import type { OrderSystem } from '../../create-order-system.js';
import type { StockMovement } from '../../schemas/inventory.js';
import { assert } from './assert.js';

/** Every movement of a SKU, walking all pages of its ledger. */
async function allMovements(oms: OrderSystem, sku: string): Promise<StockMovement[]> {
  const out: StockMovement[] = [];
  let cursor: string | undefined;
  do {
    const page = await oms.inventory.movements(sku, { limit: 100, ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * The stock invariants of SPEC §13, checked against storage for `skus`: the ledger sums to
 * `onHand` and `reserved`; `available ≥ 0` unless backorders are allowed; `reserved`
 * equals the units of live (not cancelled) orders that are not shipped yet — for orders
 * placed while the SKU was tracked, which is every order of a test that sets stock first.
 */
export async function assertStockInvariants(
  oms: OrderSystem,
  skus: readonly string[],
): Promise<void> {
  const unshipped = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await oms.orders.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const order of page.data) {
      if (order.state === 'cancelled') continue;
      for (const item of order.items) {
        const left = item.quantity - item.shippedQuantity;
        unshipped.set(item.sku, (unshipped.get(item.sku) ?? 0) + left);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);

  for (const sku of skus) {
    const stock = await oms.inventory.get(sku);
    const ledger = await allMovements(oms, sku);
    const onHand = ledger.reduce((a, m) => a + m.onHandDelta, 0);
    const reserved = ledger.reduce((a, m) => a + m.reservedDelta, 0);
    assert.equal(onHand, stock.onHand, `${sku}: the ledger sums to onHand`);
    assert.equal(reserved, stock.reserved, `${sku}: the ledger sums to reserved`);
    assert.equal(stock.available, stock.onHand - stock.reserved, `${sku}: available`);
    if (!stock.allowBackorder)
      assert.ok(stock.available >= 0, `${sku}: available ${stock.available} < 0`);
    assert.equal(
      stock.reserved,
      unshipped.get(sku) ?? 0,
      `${sku}: reserved = unshipped units of live orders`,
    );
  }
}
