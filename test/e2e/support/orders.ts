/**
 * Orders brought to a state over HTTP only, for the shipment, edit and exchange tests.
 */
import { type ApiTest, createOrder } from '../setup.js';

export interface OrderJson {
  id: string;
  version: number;
  total: number;
  state: string;
  items: { id: string; sku: string; quantity: number }[];
}

/** Creates an order and pays it in full (tok_visa); the capture confirms it in a job. */
export async function confirmedOrderViaHttp(
  t: ApiTest,
  overrides: Record<string, unknown> = {},
): Promise<OrderJson & { paymentId: string }> {
  const order = await createOrder(t, overrides);
  const payment = await t.api
    .post('/api/v1/payments')
    .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
    .expect(201);
  await t.oms.idle();
  const confirmed = await t.api.get(`/api/v1/orders/${order.id}`).expect(200);
  if (confirmed.body.state !== 'confirmed') {
    throw new Error(`order ${order.id} is ${confirmed.body.state}, not confirmed`);
  }
  return { ...(confirmed.body as OrderJson), paymentId: payment.body.id };
}

/** The order as the API shows it now. */
export async function orderViaHttp(t: ApiTest, id: string) {
  return (await t.api.get(`/api/v1/orders/${id}`).expect(200)).body;
}
