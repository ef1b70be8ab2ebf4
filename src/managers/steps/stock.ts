import { newId } from '../../domain/ids.js';
import { canReserve, crossedLowStock, presentStock } from '../../domain/inventory.js';
import { BusinessRuleError } from '../../errors.js';
import type { InventoryRecord, MovementReason, StockMovement } from '../../schemas/inventory.js';
import type { OrderRecord } from '../../schemas/order.js';
import type { ReturnRecord } from '../../schemas/return.js';
import type { ShipmentRecord } from '../../schemas/shipment.js';
import type { UnitOfWork } from '../unit-of-work.js';

/**
 * Stock moves here and nowhere else: reserve (an order takes units), release (a cancel or
 * an edit gives them back), take (a shipment leaves: out of onHand and reserved), restock (a
 * received return puts units back on hand). Each step runs inside the command's unit of
 * work, locks each SKU's record (`forUpdate`, in SKU order so two orders never deadlock),
 * checks, writes the record and its movements in the same transaction. SKUs without a stock
 * record are untracked: unlimited, no movement. Stock locks are always taken last in a
 * command (after the order, shipment or return it changes) and held until commit. Where
 * the store can, a new order's reservation is made by the command's log statement instead,
 * which takes the lock then (see `reserveStock`).
 */

type Movement = Omit<StockMovement, 'id' | 'sku' | 'at'>;

/**
 * Applies one change to a locked record: writes the new record, emits the low-stock event,
 * and returns the movement to append (callers write a step's movements at once).
 */
async function change(
  uow: UnitOfWork,
  record: InventoryRecord,
  movement: Movement,
  allowBackorder = record.allowBackorder,
): Promise<{ next: InventoryRecord; movement: StockMovement }> {
  const next: InventoryRecord = {
    ...record,
    onHand: record.onHand + movement.onHandDelta,
    reserved: record.reserved + movement.reservedDelta,
    allowBackorder,
    version: record.version + 1,
    updatedAt: uow.now,
  };
  await uow.writeStock(next, record.version);
  lowStockCheck(uow, record, next);
  return { next, movement: { id: newId('movement'), sku: record.sku, ...movement, at: uow.now } };
}

/** Emits `inventory.low_stock` when the change took available to the threshold or below. */
function lowStockCheck(
  uow: UnitOfWork,
  before: InventoryRecord | undefined,
  next: InventoryRecord,
): void {
  const threshold = uow.config.inventory.lowStockThreshold;
  if (crossedLowStock(before, next, threshold)) {
    const entity = presentStock(next);
    uow.emit('inventory.low_stock', {
      sku: next.sku,
      available: entity.available,
      threshold,
      at: uow.now,
      entity,
    });
  }
}

/** Locks the stock records of `skus` in SKU order; untracked SKUs are absent. */
function lockAll(uow: UnitOfWork, skus: Iterable<string>) {
  return readAll(uow, skus, true);
}

/** Reads the stock records of `skus` in SKU order, locked or not; untracked SKUs are absent. */
async function readAll(uow: UnitOfWork, skus: Iterable<string>, forUpdate: boolean) {
  const found = new Map<string, InventoryRecord>();
  const sorted = [...new Set(skus)].sort();
  if (sorted.length === 0) return found;
  const { inventory } = uow.tx;
  const options = forUpdate ? { forUpdate } : undefined;
  if (inventory.getMany) {
    for (const record of await inventory.getMany(sorted, options)) found.set(record.sku, record);
    return found;
  }
  for (const sku of sorted) {
    const record = await inventory.get(sku, options);
    if (record) found.set(sku, record);
  }
  return found;
}

/** `sku_not_stocked`: a SKU without a stock record where `requireStock` is on. */
function notStocked(sku: string): BusinessRuleError {
  return new BusinessRuleError('sku_not_stocked', `SKU ${sku} has no stock record`, {
    details: { sku },
  });
}

/** `insufficient_stock`: `requested` units of a SKU that has fewer available. */
function insufficient(record: InventoryRecord, requested: number): BusinessRuleError {
  const available = record.onHand - record.reserved;
  return new BusinessRuleError(
    'insufficient_stock',
    `SKU ${record.sku}: ${requested} requested, ${Math.max(0, available)} available`,
    { details: { sku: record.sku, requested, available } },
  );
}

/**
 * Records a step's movements. They are written with the command's history and events at
 * the end of its transaction (fewer round trips while stock rows are locked); `heldBy`
 * writes them first whenever a step reads the ledger back.
 */
async function write(uow: UnitOfWork, movements: StockMovement[]): Promise<void> {
  uow.movements.push(...movements);
}

/** Per SKU, what the order holds reserved, counting movements this command kept so far. */
async function heldBy(uow: UnitOfWork, orderId: string): Promise<Map<string, number>> {
  await uow.flushMovements();
  return uow.tx.inventory.reservedForOrder(orderId);
}

/**
 * Changes what an order holds reserved by `deltas` per SKU: a positive delta reserves (not
 * enough available is `insufficient_stock` with `{ sku, requested, available }`; an
 * untracked SKU is `sku_not_stocked` when `config.inventory.requireStock` is on), a
 * negative one releases (at most what the order holds). Every SKU is locked in SKU order
 * first, so orders, edits and cancels never deadlock on stock.
 */
export async function changeReservation(
  uow: UnitOfWork,
  orderId: string,
  deltas: ReadonlyMap<string, number>,
  held?: ReadonlyMap<string, number>,
): Promise<void> {
  const requireStock = uow.config.inventory.requireStock;
  const releasing = [...deltas.values()].some((d) => d < 0);
  const holding = held ?? (releasing ? await heldBy(uow, orderId) : new Map());
  const changed = [...deltas].filter(([, d]) => d !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
  const locked = await lockAll(
    uow,
    changed.map(([sku]) => sku),
  );
  const movements: StockMovement[] = [];
  for (const [sku, delta] of changed) {
    const record = locked.get(sku);
    if (delta > 0) {
      if (!record) {
        if (requireStock) throw notStocked(sku);
        continue;
      }
      if (!canReserve(record, delta)) throw insufficient(record, delta);
      movements.push((await change(uow, record, move('reserve', 0, delta, { orderId }))).movement);
    } else {
      const release = Math.min(-delta, holding.get(sku) ?? 0);
      if (!record || release <= 0) continue;
      movements.push(
        (await change(uow, record, move('release', 0, -release, { orderId }))).movement,
      );
    }
  }
  await write(uow, movements);
}

/**
 * Reserves `units` (per SKU) for a new order; see {@link changeReservation}. Where the
 * store reserves in the command's log (`reservesInLog`), the order's stock records are read
 * without their lock, what cannot be reserved is refused at once, and the log reserves each
 * SKU under a check of what is available when its statement locks the row — a row is then
 * locked from that statement to the commit only. Stock short by then fails the command
 * the same way.
 */
export async function reserveStock(
  uow: UnitOfWork,
  orderId: string,
  units: ReadonlyMap<string, number>,
): Promise<void> {
  if (!uow.reservesInLog) return changeReservation(uow, orderId, units);
  const wanted = new Map([...units].filter(([, d]) => d > 0));
  const records = await readAll(uow, wanted.keys(), false);
  if (uow.config.inventory.requireStock) {
    for (const sku of [...wanted.keys()].sort()) if (!records.has(sku)) throw notStocked(sku);
  }
  const movements: StockMovement[] = [];
  // In the order the store read the records: the order every locking read of stock takes
  // its locks in (its collation's), so the log's locks never cross theirs.
  for (const record of records.values()) {
    const { sku } = record;
    const quantity = wanted.get(sku)!;
    if (!canReserve(record, quantity)) throw insufficient(record, quantity);
    uow.reserveInLog({ sku, quantity, at: uow.now }, async (levels) => {
      if (!levels) throw insufficient((await uow.tx.inventory.get(sku)) ?? record, quantity);
      const next: InventoryRecord = { ...record, ...levels, updatedAt: uow.now };
      lowStockCheck(uow, { ...next, reserved: next.reserved - quantity }, next);
    });
    const movement = move('reserve', 0, quantity, { orderId });
    movements.push({ id: newId('movement'), sku, ...movement, at: uow.now });
  }
  await write(uow, movements);
}

/** Gives back everything an order holds reserved (it was cancelled). */
export async function releaseStock(uow: UnitOfWork, orderId: string): Promise<void> {
  const held = await heldBy(uow, orderId);
  const deltas = new Map([...held].map(([sku, units]) => [sku, -units]));
  await changeReservation(uow, orderId, deltas, held);
}

/** A shipment left: its units go out of onHand, and out of what the order held reserved. */
export async function takeStock(
  uow: UnitOfWork,
  order: OrderRecord,
  shipment: ShipmentRecord,
): Promise<void> {
  const units = unitsOfLines(order, shipment.items);
  const held = await heldBy(uow, order.id);
  const locked = await lockAll(uow, units.keys());
  const movements: StockMovement[] = [];
  for (const [sku, quantity] of units) {
    const record = locked.get(sku);
    if (!record) continue;
    const fromReserved = Math.min(quantity, held.get(sku) ?? 0);
    const links = { orderId: order.id, shipmentId: shipment.id };
    movements.push(
      (await change(uow, record, move('ship', -quantity, -fromReserved, links))).movement,
    );
  }
  await write(uow, movements);
}

/**
 * A return was received: its units go back on hand, except lines whose reason is in
 * `config.inventory.noRestockReasons` (damaged and defective by default).
 */
export async function restockReturn(
  uow: UnitOfWork,
  order: OrderRecord,
  ret: ReturnRecord,
): Promise<void> {
  const skip = new Set<string>(uow.config.inventory.noRestockReasons);
  const units = unitsOfLines(
    order,
    ret.items.filter((line) => !skip.has(line.reason)),
  );
  const locked = await lockAll(uow, units.keys());
  const movements: StockMovement[] = [];
  for (const [sku, quantity] of units) {
    const record = locked.get(sku);
    if (!record) continue;
    const links = { orderId: order.id, returnId: ret.id };
    movements.push((await change(uow, record, move('restock', quantity, 0, links))).movement);
  }
  await write(uow, movements);
}

/** Refuses a count that would leave less than what orders hold reserved (without backorders). */
function assertCovers(record: InventoryRecord, onHand: number, allowBackorder: boolean): void {
  if (allowBackorder || onHand >= record.reserved) return;
  const available = record.onHand - record.reserved;
  throw new BusinessRuleError(
    'insufficient_stock',
    `SKU ${record.sku}: ${record.reserved} unit(s) are reserved by orders; onHand ${onHand} would not cover them`,
    { details: { sku: record.sku, requested: record.onHand - onHand, available } },
  );
}

/**
 * Sets a SKU's count on hand (tracking it from now on if it was not): a `set` movement of
 * the difference. Refused with `insufficient_stock` when the count would not cover what
 * live orders hold reserved, unless backorders are allowed.
 */
export async function setStock(
  uow: UnitOfWork,
  sku: string,
  input: { onHand: number; allowBackorder?: boolean | undefined },
): Promise<InventoryRecord> {
  const record = await uow.tx.inventory.get(sku, { forUpdate: true });
  if (!record) {
    const created: InventoryRecord = {
      sku,
      onHand: input.onHand,
      reserved: 0,
      allowBackorder: input.allowBackorder ?? false,
      version: 1,
      createdAt: uow.now,
      updatedAt: uow.now,
    };
    await uow.tx.inventory.insert(created);
    await write(uow, [
      { id: newId('movement'), sku, ...move('set', input.onHand, 0, {}), at: uow.now },
    ]);
    lowStockCheck(uow, undefined, created);
    return created;
  }
  const allowBackorder = input.allowBackorder ?? record.allowBackorder;
  if (input.onHand === record.onHand && allowBackorder === record.allowBackorder) return record;
  assertCovers(record, input.onHand, allowBackorder);
  const { next, movement } = await change(
    uow,
    record,
    move('set', input.onHand - record.onHand, 0, {}),
    allowBackorder,
  );
  await write(uow, [movement]);
  return next;
}

/**
 * Changes a tracked SKU's count on hand by `delta` (an `adjust` movement with the note).
 * Taking away more than is available is `insufficient_stock` unless backorders are allowed.
 */
export async function adjustStock(
  uow: UnitOfWork,
  record: InventoryRecord,
  delta: number,
  note: string,
): Promise<InventoryRecord> {
  const onHand = record.onHand + delta;
  if (onHand < 0) {
    throw new BusinessRuleError(
      'insufficient_stock',
      `SKU ${record.sku}: cannot take ${-delta} from ${record.onHand} on hand`,
      {
        details: { sku: record.sku, requested: -delta, available: record.onHand - record.reserved },
      },
    );
  }
  assertCovers(record, onHand, record.allowBackorder);
  const { next, movement } = await change(uow, record, { ...move('adjust', delta, 0, {}), note });
  await write(uow, [movement]);
  return next;
}

function move(
  reason: MovementReason,
  onHandDelta: number,
  reservedDelta: number,
  links: Pick<Movement, 'orderId' | 'shipmentId' | 'returnId'>,
): Movement {
  return { reason, onHandDelta, reservedDelta, ...links };
}

/** Units per SKU of some lines of the order, given by order line id. */
function unitsOfLines(
  order: OrderRecord,
  lines: readonly { orderItemId: string; quantity: number }[],
): Map<string, number> {
  const skuOf = new Map(order.items.map((i) => [i.id, i.sku]));
  const units = new Map<string, number>();
  for (const line of lines) {
    const sku = skuOf.get(line.orderItemId);
    if (sku !== undefined) units.set(sku, (units.get(sku) ?? 0) + line.quantity);
  }
  return units;
}
