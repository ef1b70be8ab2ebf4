import {
  addressSchema,
  type CancelOrderInput,
  type CreateOrderInput,
  cancelOrderInput,
  createOrderInput,
  fulfillmentStatusSchema,
  listOrdersQuery,
  type OrderSystem,
  orderItemInputSchema,
  orderItemSchema,
  orderSchema,
  orderStateSchema,
  pageSchema,
  paymentSchema,
  type TransitionOrderInput,
  transitionOrderInput,
} from 'orderflow';
import { z } from 'zod';
import {
  bodyOf,
  idempotencyOptions,
  idParam,
  queryOf,
  sendEntity,
  versionOptions,
} from '../http.js';
import { idPathParameter, REPLAY_NOTE } from '../openapi/shared.js';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

const ACTOR = 'api';

/** The tag of the order operations (shared by `order-edits.ts`). */
export const ORDERS_TAG = { name: 'Orders', description: 'Orders and their state machine' };

/** `GET /api/v1/orders/{id}/payments`: the payments of one order. */
export const paymentListSchema = z.object({ data: z.array(paymentSchema) });

const orderId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', 'order', 'order');

/**
 * `/api/v1/orders`. Bodies go to the managers as they came: each manager parses its input
 * with the exported zod schema (`createOrderInput`, `transitionOrderInput`, …), so the
 * casts below only hand over untrusted data to the one place that validates it.
 */
export const ordersRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: ORDERS_TAG,
  components: {
    outputs: {
      Order: orderSchema,
      OrderItem: orderItemSchema,
      OrderState: orderStateSchema,
      FulfillmentStatus: fulfillmentStatusSchema,
      OrderPage: pageSchema(orderSchema),
      Address: addressSchema,
      PaymentList: paymentListSchema,
    },
    inputs: {
      CreateOrderInput: createOrderInput,
      OrderItemInput: orderItemInputSchema,
      TransitionOrderInput: transitionOrderInput,
      CancelOrderInput: cancelOrderInput,
      Address: addressSchema,
      OrderState: orderStateSchema,
    },
    parameters: { OrderId: idPathParameter(orderSchema.shape.id, 'ord', 'order') },
  },
  routes: [
    {
      method: 'post',
      path: '/orders',
      operation: {
        operationId: 'createOrder',
        summary: 'Create order',
        description: `Creates a \`pending\` order. Line totals, subtotal and total are computed by the server.${REPLAY_NOTE}`,
        body: {
          schema: 'CreateOrderInput',
          example: {
            customerId: 'cus_42',
            currency: 'USD',
            items: [{ sku: 'TSHIRT-M', name: 'T-shirt (M)', quantity: 2, unitPrice: 1999 }],
            shippingTotal: 500,
          },
        },
        idempotencyKey: true,
        success: {
          status: '201',
          description: 'The created order (or the replayed first result of this idempotency key)',
          content: json(ref('Order')),
          headers: ['ETag', 'Location', 'IdempotencyReplayed'],
        },
        errors: ['409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const order = await oms.orders.create(
          bodyOf(req) as CreateOrderInput,
          idempotencyOptions(req),
        );
        sendEntity(res, 201, order, { location: `${req.baseUrl}/orders/${order.id}` });
      },
    },
    {
      method: 'get',
      path: '/orders',
      operation: {
        operationId: 'listOrders',
        summary: 'List orders',
        description:
          'Newest first, keyset-paginated: pass `nextCursor` of a page as `cursor` for the next.',
        query: listOrdersQuery,
        success: {
          status: '200',
          description: 'A page of orders',
          content: json(ref('OrderPage')),
        },
        errors: ['400'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.orders.list(queryOf(listOrdersQuery, req)));
      },
    },
    {
      method: 'get',
      path: '/orders/{id}',
      operation: {
        operationId: 'getOrder',
        summary: 'Get order',
        description:
          'The order with what is derived from its payments and shipments: `paidTotal`, ' +
          "`refundedTotal`, `balanceDue`, `fulfillmentStatus` and each line's `shippedQuantity` " +
          'and `deliveredQuantity`.',
        pathId: 'OrderId',
        success: {
          status: '200',
          description: 'The order',
          content: json(ref('Order')),
          headers: ['ETag'],
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        sendEntity(res, 200, await oms.orders.get(orderId(req)));
      },
    },
    {
      method: 'patch',
      path: '/orders/{id}/state',
      operation: {
        operationId: 'transitionOrder',
        summary: 'Transition order',
        description:
          'Moves the order to `state` (or applies the machine `event`). SHIP may carry `carrier` ' +
          'and `trackingNumber`. With `If-Match` the change applies only to that version.',
        pathId: 'OrderId',
        ifMatch: true,
        body: {
          schema: 'TransitionOrderInput',
          example: { state: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
        },
        success: {
          status: '200',
          description: 'The order after the transition',
          content: json(ref('Order')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = orderId(req);
        const order = await oms.orders.transition(id, bodyOf(req) as TransitionOrderInput, {
          ...versionOptions(req),
          actor: ACTOR,
        });
        sendEntity(res, 200, order);
      },
    },
    {
      method: 'post',
      path: '/orders/{id}/cancel',
      operation: {
        operationId: 'cancelOrder',
        summary: 'Cancel order',
        description:
          'Cancels an order that has not shipped yet: its pending shipments are cancelled, its ' +
          'stock released and captured payments refunded by a job. An order with a shipped unit ' +
          'is 422 `order_partially_shipped` (remove the unshipped units with `editOrder`). ' +
          'Idempotent by nature: a cancelled order stays cancelled.',
        pathId: 'OrderId',
        ifMatch: true,
        idempotencyKey: true,
        body: {
          schema: 'CancelOrderInput',
          example: { reason: 'customer changed their mind' },
          required: false,
        },
        success: {
          status: '200',
          description: 'The cancelled order',
          content: json(ref('Order')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = orderId(req);
        // Cancelling is idempotent by nature (a cancelled order stays cancelled), so an
        // Idempotency-Key is checked for shape but not needed.
        idempotencyOptions(req);
        const order = await oms.orders.cancel(id, bodyOf(req) as CancelOrderInput, {
          ...versionOptions(req),
          actor: ACTOR,
        });
        sendEntity(res, 200, order);
      },
    },
    {
      method: 'get',
      path: '/orders/{id}/history',
      operation: {
        operationId: 'getOrderHistory',
        summary: 'Get order history',
        description: 'Every state change of the order, oldest first.',
        pathId: 'OrderId',
        success: {
          status: '200',
          description: 'The state history',
          content: json(ref('HistoryList')),
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        res.json({ data: await oms.orders.history(orderId(req)) });
      },
    },
    {
      method: 'get',
      path: '/orders/{id}/payments',
      operation: {
        operationId: 'listOrderPayments',
        summary: 'List payments of order',
        description: 'Every payment made for the order, with its refunds.',
        pathId: 'OrderId',
        success: { status: '200', description: 'The payments', content: json(ref('PaymentList')) },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        const id = orderId(req);
        await oms.orders.get(id); // 404 for an unknown order rather than an empty list
        res.json({ data: await oms.payments.listByOrder(id) });
      },
    },
  ],
});
