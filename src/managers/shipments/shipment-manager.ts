import { unitsLeftToShip } from '../../domain/shipment.js';
import { BusinessRuleError, NotFoundError } from '../../errors.js';
import { shipmentMachine } from '../../machines/shipment-machine.js';
import {
  type CommandOptions,
  commandOptionsSchema,
  type TransitionOptions,
  transitionOptionsSchema,
} from '../../schemas/common.js';
import type { HistoryEntry, OrderRecord } from '../../schemas/order.js';
import { parseInput } from '../../schemas/parse.js';
import {
  type CreateShipmentInput,
  createShipmentInput,
  FULFILLABLE_ORDER_STATES,
  type Shipment,
  type ShipmentItem,
  type ShipmentRecord,
  type TransitionShipmentInput,
  transitionShipmentInput,
  type UpdateTrackingInput,
  updateTrackingInput,
} from '../../schemas/shipment.js';
import { idempotent } from '../idempotency.js';
import {
  changeTracking,
  followShipments,
  insertShipment,
  moveShipment,
  trackingOf,
} from '../steps/fulfilment.js';
import type { SystemContext } from '../system-context.js';
import { assertVersion, decideTransition } from '../transition.js';
import { runCommand, type UnitOfWork } from '../unit-of-work.js';

const FULFILLABLE: ReadonlySet<string> = new Set(FULFILLABLE_ORDER_STATES);
/** Shipment states whose carrier and tracking may still be corrected. */
const TRACKABLE: ReadonlySet<string> = new Set(['pending', 'shipped']);

/**
 * Shipments: send some units of an order (partial and split fulfilment), move them
 * `pending → shipped → delivered`, correct their tracking. The order follows: it becomes
 * `processing` with its first shipment, `shipped` when every unit has shipped and
 * `delivered` when every unit has arrived.
 *
 * ```ts
 * const first = await oms.shipments.create(order.id, {
 *   items: [{ orderItemId: order.items[0].id, quantity: 1 }], carrier: 'UPS', trackingNumber: '1Z…' });
 * await oms.shipments.transition(first.id, { state: 'shipped' });
 * ```
 */
export class ShipmentManager {
  constructor(private readonly ctx: SystemContext) {}

  /**
   * Creates a pending shipment of `items` (default: every unit of the order not yet in a
   * live shipment). Refused with `order_not_fulfillable` unless the order is confirmed or
   * processing, `order_item_not_found`, or `shipment_quantity_exceeded` (with
   * `details.remaining`) when a unit would be in two live shipments.
   */
  async create(
    orderId: string,
    input: CreateShipmentInput = {},
    options: CommandOptions = {},
  ): Promise<Shipment> {
    const data = parseInput(createShipmentInput, input, 'shipment');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    return idempotent(this.ctx, 'shipments.create', idempotencyKey, { orderId, ...data }, (idem) =>
      runCommand(this.ctx, async (uow) => {
        // The order row lock serializes every shipment write of the order.
        const order = await lockOrder(uow, orderId);
        if (!FULFILLABLE.has(order.state)) {
          throw new BusinessRuleError(
            'order_not_fulfillable',
            `Order ${order.id} is ${order.state}; only confirmed or processing orders can be shipped`,
            { details: { orderId: order.id, state: order.state } },
          );
        }
        const left = unitsLeftToShip(order.items, await uow.tx.shipments.listByOrder(order.id));
        const items = data.items ?? everythingLeft(left);
        checkUnits(order, items, left);
        const shipment = await insertShipment(uow, order.id, items, trackingOf(data));
        await followShipments(uow, order);
        await idem.finish(uow.tx, { result: shipment });
        return shipment;
      }),
    );
  }

  async get(id: string): Promise<Shipment> {
    const shipment = await this.ctx.storage.shipments.get(id);
    if (!shipment) throw new NotFoundError('shipment', id);
    return shipment;
  }

  /** The order's shipments, oldest first (NotFoundError for an unknown order). */
  async listByOrder(orderId: string): Promise<Shipment[]> {
    if (!(await this.ctx.storage.orders.get(orderId))) throw new NotFoundError('order', orderId);
    return this.ctx.storage.shipments.listByOrder(orderId);
  }

  /** Every change of the shipment (state moves and tracking corrections), oldest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    await this.get(id);
    return this.ctx.storage.history.list('shipment', id);
  }

  /**
   * Moves the shipment to `{ state }` or applies `{ event }`; carrier and tracking given
   * with it are stored first (a tracking correction). The order follows its shipments.
   *
   * ```ts
   * await oms.shipments.transition(id, { state: 'delivered' }, { expectedVersion: 2 });
   * ```
   */
  async transition(
    id: string,
    input: TransitionShipmentInput,
    options: TransitionOptions = {},
  ): Promise<Shipment> {
    const request = parseInput(transitionShipmentInput, input, 'transition');
    const opts = parseInput(transitionOptionsSchema, options, 'options');
    return runCommand(this.ctx, async (uow) => {
      const { order, shipment } = await lockShipment(uow, id);
      const verdict = decideTransition(
        shipmentMachine,
        'shipment',
        shipment,
        request,
        {},
        opts.expectedVersion,
      );
      let current = shipment;
      const tracking = trackingOf(request);
      if (Object.keys(tracking).length > 0) {
        assertTrackable(current);
        current = await changeTracking(uow, current, tracking, opts.actor);
      }
      if (verdict.kind === 'noop') return current;
      current = await moveShipment(uow, current, verdict.event, {
        actor: opts.actor,
        reason: opts.reason,
      });
      await followShipments(uow, order, opts.actor);
      return current;
    });
  }

  /**
   * Corrects carrier, tracking number or tracking URL of a pending or shipped shipment: a
   * history row and a `shipment.tracking_updated` event (nothing when nothing changes).
   */
  async updateTracking(
    id: string,
    input: UpdateTrackingInput,
    options: TransitionOptions = {},
  ): Promise<Shipment> {
    const tracking = parseInput(updateTrackingInput, input, 'tracking');
    const opts = parseInput(transitionOptionsSchema, options, 'options');
    return runCommand(this.ctx, async (uow) => {
      const { shipment } = await lockShipment(uow, id);
      assertVersion('shipment', shipment, opts.expectedVersion);
      assertTrackable(shipment);
      return changeTracking(uow, shipment, tracking, opts.actor);
    });
  }
}

async function lockOrder(uow: UnitOfWork, orderId: string): Promise<OrderRecord> {
  const order = await uow.tx.orders.get(orderId, { forUpdate: true });
  if (!order) throw new NotFoundError('order', orderId);
  return order;
}

/** Locks the shipment's order (every shipment write holds it), then reads the shipment. */
async function lockShipment(uow: UnitOfWork, id: string) {
  const unlocked = await uow.tx.shipments.get(id);
  if (!unlocked) throw new NotFoundError('shipment', id);
  const order = await lockOrder(uow, unlocked.orderId);
  const shipment = await uow.tx.shipments.get(id, { forUpdate: true });
  if (!shipment) throw new NotFoundError('shipment', id);
  return { order, shipment };
}

function assertTrackable(shipment: ShipmentRecord): void {
  if (!TRACKABLE.has(shipment.state)) {
    throw new BusinessRuleError(
      'shipment_not_updatable',
      `Shipment ${shipment.id} is ${shipment.state}; tracking can be corrected while it is pending or shipped`,
      { details: { shipmentId: shipment.id, state: shipment.state } },
    );
  }
}

function everythingLeft(left: ReadonlyMap<string, number>): ShipmentItem[] {
  return [...left]
    .filter(([, quantity]) => quantity > 0)
    .map(([orderItemId, quantity]) => ({ orderItemId, quantity }));
}

/** Every requested line exists and has that many units not yet in a live shipment. */
function checkUnits(
  order: OrderRecord,
  items: readonly ShipmentItem[],
  left: ReadonlyMap<string, number>,
): void {
  if (items.length === 0) {
    throw new BusinessRuleError(
      'shipment_quantity_exceeded',
      `Every unit of order ${order.id} is already in a shipment`,
      { details: { orderId: order.id, remaining: 0 } },
    );
  }
  for (const item of items) {
    const remaining = left.get(item.orderItemId);
    if (remaining === undefined) {
      throw new BusinessRuleError(
        'order_item_not_found',
        `Order ${order.id} has no line ${item.orderItemId}`,
        { details: { orderId: order.id, orderItemId: item.orderItemId } },
      );
    }
    if (item.quantity > remaining) {
      throw new BusinessRuleError(
        'shipment_quantity_exceeded',
        `Line ${item.orderItemId}: ${item.quantity} requested, ${remaining} not yet in a shipment`,
        {
          details: {
            orderId: order.id,
            orderItemId: item.orderItemId,
            requested: item.quantity,
            remaining,
          },
        },
      );
    }
  }
}
