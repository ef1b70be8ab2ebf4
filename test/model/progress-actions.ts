/**
 * "Move on" steps: take one order or return one step further along its happy path (pay
 * what is owed, ship some or all of what is left, deliver, return a delivered unit, walk a
 * return). Random single commands rarely get an order to delivery and back; these make
 * sure a run reaches the later states where most rules live.
 */
import fc from 'fast-check';
import type { Order, Return } from 'orderflow';
import { type Action, pick, showPick } from './action.js';
import { pickArb } from './order-actions.js';
import { readSnapshot, type World } from './world.js';

/** The next step along the happy path of a return. */
const RETURN_NEXT: Partial<Record<Return['state'], Return['state']>> = {
  initiated: 'approved',
  approved: 'pickup_scheduled',
  pickup_scheduled: 'in_transit',
  in_transit: 'received',
  received: 'processed',
};

async function moveOrderOn(w: World, order: Order, whole: boolean): Promise<string | undefined> {
  const { oms } = w;
  if (order.balanceDue > 0 && order.state !== 'cancelled' && order.state !== 'returned') {
    const p = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    return `pay ${order.id} ${order.balanceDue}: ${p.state}`;
  }
  const shipments = w.state.shipments.filter((s) => s.orderId === order.id);
  const pending = shipments.find((s) => s.state === 'pending');
  const shipped = shipments.find((s) => s.state === 'shipped');
  if (order.state === 'pending') {
    await oms.orders.transition(order.id, { state: 'confirmed' });
    return `confirm ${order.id}`;
  }
  if (pending) {
    await oms.shipments.transition(pending.id, { state: 'shipped' });
    return `ship ${pending.id}`;
  }
  if (order.state === 'confirmed' || order.state === 'processing') {
    const line = order.items.find((i) => i.quantity > i.shippedQuantity);
    const items = whole || !line ? undefined : [{ orderItemId: line.id, quantity: 1 }];
    const s = await oms.shipments.create(order.id, items ? { items } : {});
    return `shipment ${s.id} of ${order.id} ${items ? 'one unit' : 'everything left'}`;
  }
  if (shipped) {
    await oms.shipments.transition(shipped.id, { state: 'delivered' });
    return `deliver ${shipped.id}`;
  }
  const returnable = order.items.find((i) => {
    const inReturns = w.state.returns
      .filter((r) => r.orderId === order.id && r.state !== 'rejected' && r.state !== 'cancelled')
      .flatMap((r) => r.items.filter((x) => x.orderItemId === i.id))
      .reduce((a, x) => a + x.quantity, 0);
    return i.deliveredQuantity > inReturns;
  });
  if (returnable) {
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [
        {
          orderItemId: returnable.id,
          quantity: whole ? returnable.deliveredQuantity : 1,
          reason: whole ? 'damaged' : 'no_longer_needed',
        },
      ],
    });
    return `return ${ret.id} of ${order.id}`;
  }
  return undefined;
}

/**
 * Runs `hop` up to `hops` times, reading the state back between hops. A refusal of the
 * first hop is the step's refusal; a later one ends the step with what was done so far.
 */
async function hopping(
  w: World,
  hops: number,
  hop: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const done: string[] = [];
  for (let i = 0; i < hops; i++) {
    let did: string | undefined;
    try {
      did = await hop();
    } catch (error) {
      if (i === 0) throw error;
      done.push(`then refused ${(error as { code?: string }).code ?? String(error)}`);
      break;
    }
    if (did === undefined) break;
    done.push(did);
    await w.oms.idle();
    w.state = await readSnapshot(w.oms);
  }
  return done.length === 0 ? undefined : done.join('; ');
}

const orderOnArb = fc
  .record({ p: pickArb, whole: fc.boolean(), hops: fc.integer({ min: 1, max: 5 }) })
  .map(
    ({ p, whole, hops }): Action => ({
      label: `move order ${showPick(p)} on ${hops}×${whole ? ' (whole)' : ''}`,
      async run(w) {
        const chosen = pick(
          w.state.orders,
          p,
          (o) => o.state !== 'cancelled' && o.state !== 'returned',
        );
        if (!chosen) return undefined;
        return hopping(w, hops, async () => {
          const order = w.state.orders.find((o) => o.id === chosen.id);
          return order && moveOrderOn(w, order, whole);
        });
      },
    }),
  );

const returnOnArb = fc.record({ p: pickArb, hops: fc.integer({ min: 1, max: 4 }) }).map(
  ({ p, hops }): Action => ({
    label: `move return ${showPick(p)} on ${hops}×`,
    async run(w) {
      const chosen = pick(w.state.returns, p, (r) => RETURN_NEXT[r.state] !== undefined);
      if (!chosen) return undefined;
      return hopping(w, hops, async () => {
        const ret = w.state.returns.find((r) => r.id === chosen.id);
        const to = ret && RETURN_NEXT[ret.state];
        if (!ret || !to) return undefined;
        const pickupAt = new Date(w.clock.now() + 86_400_000).toISOString();
        await w.oms.returns.transition(ret.id, {
          state: to,
          ...(to === 'pickup_scheduled' ? { pickupAt } : {}),
        });
        return `return ${ret.id} ${ret.state} → ${to}`;
      });
    },
  }),
);

/** "Move on" steps with their weights. */
export const progressActions: fc.WeightedArbitrary<Action>[] = [
  { arbitrary: orderOnArb, weight: 14 },
  { arbitrary: returnOnArb, weight: 6 },
];
