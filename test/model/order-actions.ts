/** Steps on orders and stock: create, cancel, transition, edit, set and adjust stock. */
import fc from 'fast-check';
import { DEFAULT_CONFIG, ORDER_STATES, type Order } from 'orderflow';
import { type Action, type Pick, pick, showPick } from './action.js';
import { ModelFailure, SKUS, TRACKED } from './world.js';

export const pickArb: fc.Arbitrary<Pick> = fc.record({
  n: fc.nat({ max: 1000 }),
  fitting: fc.boolean().chain((b) => (b ? fc.constant(true) : fc.boolean())),
});

export const lineArb = fc.record({
  sku: fc.constantFrom(...SKUS),
  quantity: fc.integer({ min: 1, max: 3 }),
  unitPrice: fc.constantFrom(500, 1250, 1999, 4000),
});
type Line = { sku: string; quantity: number; unitPrice: number };
export const lineInput = (l: Line, i: number) => ({ ...l, name: `${l.sku} ${i}` });
const showLines = (lines: readonly Line[]) =>
  lines.map((l) => `${l.quantity}×${l.sku}@${l.unitPrice}`).join('+');

/** How long an idempotency key is kept at least (the default `idempotencyKeyTtlHours`). */
const KEY_TTL_MS = DEFAULT_CONFIG.idempotencyKeyTtlHours * 3_600_000;
const EDITABLE = new Set(['pending', 'confirmed', 'processing']);
const FINAL = new Set(['cancelled', 'returned']);

export const createOrderArb = fc
  .record({
    lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
    shippingTotal: fc.constantFrom(0, 0, 500),
    discountTotal: fc.constantFrom(0, 0, 300),
    key: fc.option(fc.constantFrom('create-1', 'create-2'), { freq: 4 }),
  })
  .map(
    (c): Action => ({
      label: `create ${showLines(c.lines)} ship ${c.shippingTotal} disc ${c.discountTotal}${c.key ? ` key ${c.key}` : ''}`,
      async run(w) {
        const input = {
          customerId: 'c_model',
          currency: 'USD',
          items: c.lines.map(lineInput),
          shippingTotal: c.shippingTotal,
          discountTotal: c.discountTotal,
          shippingAddress: {
            line1: '1 Main St',
            city: 'Springfield',
            postalCode: '1',
            country: 'US',
          },
        };
        const order = await w.oms.orders.create(input, c.key ? { idempotencyKey: c.key } : {});
        if (c.key) {
          // A key answers with its first order, and only for the same input, for at least
          // the key's time to live (a day); after that it may start afresh.
          const known = w.keys.get(c.key);
          const fresh = { input: JSON.stringify(input), id: order.id, at: w.clock.now() };
          const first = known && w.clock.now() - known.at < KEY_TTL_MS ? known : fresh;
          w.keys.set(c.key, first);
          if (first.input !== JSON.stringify(input) || first.id !== order.id) {
            throw new ModelFailure(
              `key ${c.key} gave ${order.id}; first ${first.id} for ${first.input}`,
            );
          }
        }
        return `created ${order.id} total ${order.total}`;
      },
    }),
  );

const cancelArb = pickArb.map(
  (p): Action => ({
    label: `cancel order ${showPick(p)}`,
    async run(w) {
      const order = pick(w.state.orders, p, (o) => EDITABLE.has(o.state));
      if (!order) return undefined;
      await w.oms.orders.cancel(order.id, { reason: 'model' });
      return `cancel ${order.id} (${order.state})`;
    },
  }),
);

const transitionArb = fc
  .record({ p: pickArb, to: fc.constantFrom(...ORDER_STATES), versioned: fc.boolean() })
  .map(
    ({ p, to, versioned }): Action => ({
      label: `order ${showPick(p)} → ${to}${versioned ? ' (expectedVersion)' : ''}`,
      async run(w) {
        const order = pick(w.state.orders, p, (o) => !FINAL.has(o.state));
        if (!order) return undefined;
        await w.oms.orders.transition(
          order.id,
          { state: to, ...(to === 'shipped' ? { carrier: 'UPS', trackingNumber: '1Z' } : {}) },
          versioned ? { expectedVersion: order.version } : {},
        );
        return `order ${order.id} ${order.state} → ${to}`;
      },
    }),
  );

const editArb = fc
  .record({
    p: pickArb,
    items: fc.array(fc.record({ line: fc.nat(), quantity: fc.integer({ min: 0, max: 4 }) }), {
      maxLength: 2,
    }),
    add: fc.option(lineArb, { freq: 2 }),
    shippingTotal: fc.option(fc.constantFrom(0, 700), { freq: 3 }),
    discountTotal: fc.option(fc.constantFrom(0, 250), { freq: 3 }),
  })
  .map(
    (e): Action => ({
      label: `edit order ${showPick(e.p)} lines ${e.items.map((i) => `#${i.line}=${i.quantity}`).join(',')}${e.add ? ` add ${showLines([e.add])}` : ''} ship ${e.shippingTotal} disc ${e.discountTotal}`,
      async run(w) {
        const order = pick(w.state.orders, e.p, (o) => EDITABLE.has(o.state));
        if (!order) return undefined;
        const items = editedLines(order, e.items);
        const edit = {
          ...(items.length > 0 ? { items } : {}),
          ...(e.add ? { add: [lineInput(e.add, 9)] } : {}),
          ...(e.shippingTotal === null ? {} : { shippingTotal: e.shippingTotal }),
          ...(e.discountTotal === null ? {} : { discountTotal: e.discountTotal }),
        };
        if (Object.keys(edit).length === 0) return undefined;
        const after = await w.oms.orders.edit(order.id, edit, { reason: 'model' });
        return `edit ${order.id} ${JSON.stringify(edit)}: total ${order.total} → ${after.total}`;
      },
    }),
  );

/** One quantity per chosen line (a line chosen twice keeps the first). */
function editedLines(order: Order, choices: readonly { line: number; quantity: number }[]) {
  const seen = new Set<string>();
  const out: { orderItemId: string; quantity: number }[] = [];
  for (const c of choices) {
    const item = order.items[c.line % order.items.length];
    if (!item || seen.has(item.id)) continue;
    seen.add(item.id);
    out.push({ orderItemId: item.id, quantity: c.quantity });
  }
  return out;
}

const skuArb = fc.constantFrom(...TRACKED.map((t) => t.sku));

const setStockArb = fc
  .record({
    sku: skuArb,
    onHand: fc.integer({ min: 0, max: 10 }),
    backorder: fc.option(fc.boolean()),
  })
  .map(
    (s): Action => ({
      label: `set ${s.sku} onHand ${s.onHand} backorder ${s.backorder}`,
      async run(w) {
        const after = await w.oms.inventory.set(s.sku, {
          onHand: s.onHand,
          ...(s.backorder === null ? {} : { allowBackorder: s.backorder }),
        });
        return `set ${s.sku}: available ${after.available}`;
      },
    }),
  );

const adjustArb = fc.record({ sku: skuArb, delta: fc.integer({ min: -4, max: 5 }) }).map(
  (a): Action => ({
    label: `adjust ${a.sku} by ${a.delta}`,
    async run(w) {
      const after = await w.oms.inventory.adjust(a.sku, { delta: a.delta, reason: 'count' });
      return `adjust ${a.sku} ${a.delta}: available ${after.available}`;
    },
  }),
);

/** Order and stock steps with their weights. */
export const orderActions: fc.WeightedArbitrary<Action>[] = [
  { arbitrary: createOrderArb, weight: 6 },
  { arbitrary: cancelArb, weight: 1 },
  { arbitrary: transitionArb, weight: 4 },
  { arbitrary: editArb, weight: 3 },
  { arbitrary: setStockArb, weight: 1 },
  { arbitrary: adjustArb, weight: 1 },
];
