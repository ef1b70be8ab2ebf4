import type { OrderSystem } from '../create-order-system.js';
import type { CreateOrderInput, Order } from '../schemas/order.js';

/**
 * A valid `orders.create` input; override any field.
 *
 * ```ts
 * const order = await oms.orders.create(orderInput({ currency: 'JPY' }));
 * ```
 */
export function orderInput(overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  return {
    customerId: 'cus_test',
    currency: 'USD',
    items: [
      { sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 },
      { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
    ],
    shippingTotal: 500,
    ...overrides,
  };
}

/**
 * Creates an order, pays it in full with `tok_visa` and walks it to `delivered` — the
 * starting point of every return. Needs a payment provider that accepts `tok_visa`.
 *
 * ```ts
 * const order = await deliveredOrder(oms);
 * ```
 */
export async function deliveredOrder(
  oms: OrderSystem,
  overrides: Partial<CreateOrderInput> = {},
): Promise<Order> {
  const order = await oms.orders.create(orderInput(overrides));
  await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
  for (const state of ['confirmed', 'processing', 'shipped', 'delivered'] as const) {
    await oms.orders.transition(order.id, { state });
  }
  return oms.orders.get(order.id);
}
