/**
 * Steps on shipments and returns: create a shipment of everything left or of some units,
 * move it, correct its tracking; open a return (or an exchange) of delivered units and
 * walk it through its states.
 */
import fc from 'fast-check';
import { type Order, RETURN_REASONS, RETURN_STATES, SHIPMENT_STATES } from 'orderflow';
import { type Action, pick, showPick } from './action.js';
import { lineArb, lineInput, pickArb } from './order-actions.js';
import { ModelFailure, type Snapshot } from './world.js';

const FULFILLABLE = new Set(['confirmed', 'processing']);

/** Units of each line not yet in a live shipment. */
function unitsLeft(s: Snapshot, order: Order): Map<string, number> {
  const left = new Map(order.items.map((i) => [i.id, i.quantity]));
  for (const sh of s.shipments) {
    if (sh.orderId !== order.id || sh.state === 'cancelled') continue;
    for (const i of sh.items) left.set(i.orderItemId, (left.get(i.orderItemId) ?? 0) - i.quantity);
  }
  return left;
}

const lineChoiceArb = fc.array(fc.record({ line: fc.nat(), quantity: fc.nat({ max: 3 }) }), {
  minLength: 1,
  maxLength: 2,
});
const showChoices = (cs: readonly { line: number; quantity: number }[]) =>
  cs.map((c) => `#${c.line}:${c.quantity}`).join(',');

const createShipmentArb = fc
  .record({ p: pickArb, lines: fc.option(lineChoiceArb, { freq: 2 }), key: fc.boolean() })
  .map(
    (c): Action => ({
      label: `ship order ${showPick(c.p)} ${c.lines ? showChoices(c.lines) : 'everything left'}`,
      async run(w) {
        const order = pick(w.state.orders, c.p, (o) => FULFILLABLE.has(o.state));
        if (!order) return undefined;
        const left = unitsLeft(w.state, order);
        const items: { orderItemId: string; quantity: number }[] = [];
        for (const choice of c.lines ?? []) {
          const item = order.items[choice.line % order.items.length];
          if (!item || items.some((i) => i.orderItemId === item.id)) continue;
          // 0 asks for one more unit than is left (a refusal); else up to what is left.
          const rest = left.get(item.id) ?? 0;
          const quantity =
            choice.quantity === 0 ? rest + 1 : Math.min(choice.quantity, Math.max(rest, 1));
          items.push({ orderItemId: item.id, quantity });
        }
        const shipment = await w.oms.shipments.create(
          order.id,
          { ...(items.length > 0 ? { items } : {}), carrier: 'DHL', trackingNumber: 'JD1' },
          c.key ? { idempotencyKey: `ship-${order.id}` } : {},
        );
        return `shipment ${shipment.id} of ${order.id}: ${JSON.stringify(shipment.items)}`;
      },
    }),
  );

const moveShipmentArb = fc
  .record({ p: pickArb, to: fc.constantFrom(...SHIPMENT_STATES), tracking: fc.boolean() })
  .map(
    (m): Action => ({
      label: `shipment ${showPick(m.p)} → ${m.to}${m.tracking ? ' with new tracking' : ''}`,
      async run(w) {
        const sh = pick(
          w.state.shipments,
          m.p,
          (x) => x.state === 'pending' || x.state === 'shipped',
        );
        if (!sh) return undefined;
        await w.oms.shipments.transition(sh.id, {
          state: m.to,
          ...(m.tracking ? { trackingNumber: `T${m.p.n}` } : {}),
        });
        return `shipment ${sh.id} ${sh.state} → ${m.to}`;
      },
    }),
  );

const trackingArb = pickArb.map(
  (p): Action => ({
    label: `update tracking of shipment ${showPick(p)}`,
    async run(w) {
      const sh = pick(w.state.shipments, p, (x) => x.state === 'pending' || x.state === 'shipped');
      if (!sh) return undefined;
      await w.oms.shipments.updateTracking(sh.id, { carrier: 'UPS', trackingNumber: `U${p.n}` });
      return `tracking of ${sh.id} (${sh.state})`;
    },
  }),
);

const createReturnArb = fc
  .record({
    p: pickArb,
    lines: lineChoiceArb,
    reason: fc.constantFrom(...RETURN_REASONS),
    exchange: fc.option(lineArb, { freq: 3 }),
  })
  .map(
    (c): Action => ({
      label: `return from order ${showPick(c.p)} ${showChoices(c.lines)} ${c.reason}${c.exchange ? ` exchange for ${c.exchange.quantity}×${c.exchange.sku}@${c.exchange.unitPrice}` : ''}`,
      async run(w) {
        const order = pick(w.state.orders, c.p, (o) =>
          o.items.some((i) => i.deliveredQuantity > 0),
        );
        if (!order) return undefined;
        const items: {
          orderItemId: string;
          quantity: number;
          reason: (typeof RETURN_REASONS)[number];
        }[] = [];
        for (const choice of c.lines) {
          const item = order.items[choice.line % order.items.length];
          if (!item || items.some((i) => i.orderItemId === item.id)) continue;
          items.push({
            orderItemId: item.id,
            quantity: Math.max(1, choice.quantity),
            reason: c.reason,
          });
        }
        const input = {
          orderId: order.id,
          items,
          ...(c.exchange ? { exchangeItems: [lineInput(c.exchange, 0)] } : {}),
        };
        // The preview is the same check and calculation as a dry run (alone, nothing can
        // change in between): the same refusal, or the same amounts.
        const preview = w.alone
          ? await w.oms.returns.preview(input).catch((e: { code?: string }) => e.code ?? 'crash')
          : undefined;
        const ret = await w.oms.returns.create(input).catch((error: { code?: string }) => {
          if (typeof preview === 'object') {
            throw new ModelFailure(`preview passed, create refused: ${error.code}`);
          }
          if (preview !== undefined && preview !== error.code) {
            throw new ModelFailure(`preview refused with ${preview}, create with ${error.code}`);
          }
          throw error;
        });
        if (typeof preview === 'string') {
          throw new ModelFailure(`preview refused with ${preview}, create passed`);
        }
        if (
          preview &&
          (preview.refundAmount !== ret.refundAmount || preview.restockingFee !== ret.restockingFee)
        ) {
          throw new ModelFailure(
            `preview says refund ${preview.refundAmount} fee ${preview.restockingFee}; the return has ${ret.refundAmount} and ${ret.restockingFee}`,
          );
        }
        return `return ${ret.id} of ${order.id}: ${JSON.stringify(items.map((i) => i.quantity))} refund ${ret.refundAmount} credit ${ret.creditTotal}`;
      },
    }),
  );

const moveReturnArb = fc.record({ p: pickArb, to: fc.constantFrom(...RETURN_STATES) }).map(
  (m): Action => ({
    label: `return ${showPick(m.p)} → ${m.to}`,
    async run(w) {
      const FINAL = ['refunded', 'rejected', 'cancelled'];
      const ret = pick(w.state.returns, m.p, (r) => !FINAL.includes(r.state));
      if (!ret) return undefined;
      const pickupAt = new Date(w.clock.now() + 86_400_000).toISOString();
      await w.oms.returns.transition(ret.id, {
        state: m.to,
        ...(m.to === 'pickup_scheduled' ? { pickupAt } : {}),
        ...(m.to === 'rejected' || m.to === 'cancelled' ? { reason: 'model' } : {}),
      });
      return `return ${ret.id} ${ret.state} → ${m.to}`;
    },
  }),
);

/** Shipment and return steps with their weights. */
export const fulfilmentActions: fc.WeightedArbitrary<Action>[] = [
  { arbitrary: createShipmentArb, weight: 4 },
  { arbitrary: moveShipmentArb, weight: 5 },
  { arbitrary: trackingArb, weight: 1 },
  { arbitrary: createReturnArb, weight: 3 },
  { arbitrary: moveReturnArb, weight: 5 },
];
