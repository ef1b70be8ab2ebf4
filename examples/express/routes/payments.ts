import {
  type CapturePaymentInput,
  capturePaymentInput,
  listPaymentsQuery,
  type OrderSystem,
  type ProcessPaymentInput,
  pageSchema,
  paymentSchema,
  paymentStateSchema,
  processPaymentInput,
  type RefundPaymentInput,
  refundPaymentInput,
  refundSchema,
  refundStateSchema,
} from 'orderflow';
import { bodyOf, idempotencyOptions, idParam, queryOf, sendEntity } from '../http.js';
import { idPathParameter, ORDER_ID_EXAMPLE, REPLAY_NOTE } from '../openapi/shared.js';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

const paymentId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', 'payment', 'payment');

/**
 * `/api/v1/payments`. Bodies are validated by the managers with the exported schemas
 * (`processPaymentInput`, `refundPaymentInput`, `capturePaymentInput`).
 */
export const paymentsRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: { name: 'Payments', description: 'Payments and refunds' },
  components: {
    outputs: {
      Payment: paymentSchema,
      PaymentState: paymentStateSchema,
      PaymentPage: pageSchema(paymentSchema),
      Refund: refundSchema,
      RefundState: refundStateSchema,
    },
    inputs: {
      PaymentState: paymentStateSchema,
      ProcessPaymentInput: processPaymentInput,
      RefundPaymentInput: refundPaymentInput,
      CapturePaymentInput: capturePaymentInput,
    },
    parameters: { PaymentId: idPathParameter(paymentSchema.shape.id, 'pay', 'payment') },
  },
  routes: [
    {
      method: 'post',
      path: '/payments',
      operation: {
        operationId: 'createPayment',
        summary: 'Create payment',
        description: `Authorizes and captures a payment for the order (only authorizes with \`capture: 'manual'\`). \`amount\` defaults to what the order still owes.${REPLAY_NOTE}`,
        body: {
          schema: 'ProcessPaymentInput',
          example: { orderId: ORDER_ID_EXAMPLE, paymentMethod: { token: 'tok_visa' } },
        },
        idempotencyKey: true,
        success: {
          status: '201',
          description: 'The payment (or the replayed first result of this idempotency key)',
          content: json(ref('Payment')),
          headers: ['ETag', 'Location', 'IdempotencyReplayed'],
        },
        errors: ['402', '404', '409', '422', '503'],
      },
      handler: (oms) => async (req, res) => {
        const payment = await oms.payments.process(
          bodyOf(req) as ProcessPaymentInput,
          idempotencyOptions(req),
        );
        sendEntity(res, 201, payment, { location: `${req.baseUrl}/payments/${payment.id}` });
      },
    },
    {
      method: 'get',
      path: '/payments',
      operation: {
        operationId: 'listPayments',
        summary: 'List payments',
        description:
          'Newest first, keyset-paginated: pass `nextCursor` of a page as `cursor` for the next.',
        query: listPaymentsQuery,
        success: {
          status: '200',
          description: 'A page of payments',
          content: json(ref('PaymentPage')),
        },
        errors: ['400'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.payments.list(queryOf(listPaymentsQuery, req)));
      },
    },
    {
      method: 'get',
      path: '/payments/{id}',
      operation: {
        operationId: 'getPayment',
        summary: 'Get payment',
        description: 'The payment with its refunds.',
        pathId: 'PaymentId',
        success: {
          status: '200',
          description: 'The payment',
          content: json(ref('Payment')),
          headers: ['ETag'],
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        sendEntity(res, 200, await oms.payments.get(paymentId(req)));
      },
    },
    {
      method: 'post',
      path: '/payments/{id}/refund',
      operation: {
        operationId: 'refundPayment',
        summary: 'Refund payment',
        description: `Refunds part or all of a captured payment. \`amount\` defaults to everything still refundable; with \`returnId\` the refund counts against that return.${REPLAY_NOTE}`,
        pathId: 'PaymentId',
        body: { schema: 'RefundPaymentInput', example: { amount: 1999, reason: 'damaged' } },
        idempotencyKey: true,
        success: {
          status: '201',
          description: 'The refund (or the replayed first result of this idempotency key)',
          content: json(ref('Refund')),
          headers: ['IdempotencyReplayed'],
        },
        errors: ['402', '404', '409', '422', '503'],
      },
      handler: (oms) => async (req, res) => {
        const id = paymentId(req);
        const refund = await oms.payments.refund(
          id,
          bodyOf(req) as RefundPaymentInput,
          idempotencyOptions(req),
        );
        sendEntity(res, 201, refund);
      },
    },
    {
      method: 'get',
      path: '/payments/{id}/history',
      operation: {
        operationId: 'getPaymentHistory',
        summary: 'Get payment history',
        description: 'Every state change of the payment, oldest first.',
        pathId: 'PaymentId',
        success: {
          status: '200',
          description: 'The state history',
          content: json(ref('HistoryList')),
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        res.json({ data: await oms.payments.history(paymentId(req)) });
      },
    },
    // For payments made with `capture: 'manual'`.
    {
      method: 'post',
      path: '/payments/{id}/capture',
      operation: {
        operationId: 'capturePayment',
        summary: 'Capture payment',
        description:
          "Captures a payment made with `capture: 'manual'`; `amount` defaults to all of it. A payment captures once: a partial capture releases the rest of the authorization, and a second capture is refused with 422 `payment_already_captured`.",
        pathId: 'PaymentId',
        body: { schema: 'CapturePaymentInput', example: { amount: 4498 }, required: false },
        success: {
          status: '200',
          description: 'The payment after the capture',
          content: json(ref('Payment')),
          headers: ['ETag'],
        },
        errors: ['402', '404', '409', '422', '503'],
      },
      handler: (oms) => async (req, res) => {
        const id = paymentId(req);
        sendEntity(res, 200, await oms.payments.capture(id, bodyOf(req) as CapturePaymentInput));
      },
    },
    {
      method: 'post',
      path: '/payments/{id}/void',
      operation: {
        operationId: 'voidPayment',
        summary: 'Void payment',
        description: 'Releases an authorized payment that was not captured.',
        pathId: 'PaymentId',
        success: {
          status: '200',
          description: 'The voided payment',
          content: json(ref('Payment')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422', '503'],
      },
      handler: (oms) => async (req, res) => {
        const id = paymentId(req);
        sendEntity(res, 200, await oms.payments.void(id));
      },
    },
  ],
});
