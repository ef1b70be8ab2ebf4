import {
  type CreateReturnInput,
  createReturnInput,
  listReturnsQuery,
  type MarkRefundedInput,
  markRefundedInput,
  type OrderSystem,
  pageSchema,
  pickupSchema,
  type RetryRefundInput,
  refundFailureSchema,
  retryRefundInput,
  returnItemInputSchema,
  returnItemSchema,
  returnPreviewSchema,
  returnReasonSchema,
  returnSchema,
  returnStateSchema,
  type TransitionReturnInput,
  transitionReturnInput,
} from 'orderflow';
import {
  bodyOf,
  idempotencyOptions,
  idParam,
  queryOf,
  sendEntity,
  versionOptions,
} from '../http.js';
import {
  ITEM_ID_EXAMPLE,
  idPathParameter,
  ORDER_ID_EXAMPLE,
  REPLAY_NOTE,
} from '../openapi/shared.js';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

const returnId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', 'return', 'return');

/**
 * `/api/v1/returns`. Bodies are validated by the managers with the exported schemas
 * (`createReturnInput`, `transitionReturnInput`).
 */
export const returnsRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: { name: 'Returns', description: 'Returns of delivered order lines, and exchanges' },
  components: {
    outputs: {
      Return: returnSchema,
      ReturnItem: returnItemSchema,
      ReturnState: returnStateSchema,
      ReturnReason: returnReasonSchema,
      ReturnPage: pageSchema(returnSchema),
      Pickup: pickupSchema,
      RefundFailure: refundFailureSchema,
      ReturnPreview: returnPreviewSchema,
    },
    inputs: {
      CreateReturnInput: createReturnInput,
      ReturnItemInput: returnItemInputSchema,
      TransitionReturnInput: transitionReturnInput,
      RetryRefundInput: retryRefundInput,
      MarkRefundedInput: markRefundedInput,
      ReturnState: returnStateSchema,
      ReturnReason: returnReasonSchema,
    },
    parameters: { ReturnId: idPathParameter(returnSchema.shape.id, 'ret', 'return') },
  },
  routes: [
    {
      method: 'post',
      path: '/returns',
      operation: {
        operationId: 'createReturn',
        summary: 'Create return',
        description:
          "Initiates a return of delivered order lines; each line's refund is computed as in " +
          '`previewReturn`. With `exchangeItems` it is an exchange: on approval a replacement ' +
          'order is created (`exchangeOrderId`), paid first from the return value ' +
          '(`creditTotal`); only the rest is refunded (`refundAmount`), 0 for an even exchange. ' +
          `A line can be returned up to its \`deliveredQuantity\`.${REPLAY_NOTE}`,
        body: {
          schema: 'CreateReturnInput',
          example: {
            orderId: ORDER_ID_EXAMPLE,
            items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1, reason: 'damaged' }],
          },
        },
        idempotencyKey: true,
        success: {
          status: '201',
          description: 'The created return (or the replayed first result of this idempotency key)',
          content: json(ref('Return')),
          headers: ['ETag', 'Location', 'IdempotencyReplayed'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const ret = await oms.returns.create(
          bodyOf(req) as CreateReturnInput,
          idempotencyOptions(req),
        );
        sendEntity(res, 201, ret, { location: `${req.baseUrl}/returns/${ret.id}` });
      },
    },
    {
      method: 'get',
      path: '/returns',
      operation: {
        operationId: 'listReturns',
        summary: 'List returns',
        description:
          'Newest first, keyset-paginated: pass `nextCursor` of a page as `cursor` for the next.',
        query: listReturnsQuery,
        success: {
          status: '200',
          description: 'A page of returns',
          content: json(ref('ReturnPage')),
        },
        errors: ['400'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.returns.list(queryOf(listReturnsQuery, req)));
      },
    },
    // Before `/returns/{id}`, so `preview` is never taken for an id.
    {
      method: 'post',
      path: '/returns/preview',
      operation: {
        operationId: 'previewReturn',
        summary: 'Preview return',
        description:
          'The same checks and refund calculation as `createReturn`, as a dry run: nothing is ' +
          'written, so it takes no `Idempotency-Key`. For an exchange it shows `exchangeTotal` ' +
          '(the replacement lines), `creditTotal` (what the return value pays of them), ' +
          "`refundAmount` (what goes back to the customer's payment) and `balanceDue` (what " +
          'the replacement will still owe).',
        body: {
          schema: 'CreateReturnInput',
          example: {
            orderId: ORDER_ID_EXAMPLE,
            items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1, reason: 'wrong_item' }],
            exchangeItems: [{ sku: 'TSHIRT-L', name: 'T-shirt (L)', quantity: 1, unitPrice: 1999 }],
          },
        },
        success: {
          status: '200',
          description: 'What the return would refund, line by line',
          content: json(ref('ReturnPreview')),
        },
        errors: ['404', '422'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.returns.preview(bodyOf(req) as CreateReturnInput));
      },
    },
    {
      method: 'get',
      path: '/returns/{id}',
      operation: {
        operationId: 'getReturn',
        summary: 'Get return',
        description: 'The return with its lines and refund amount.',
        pathId: 'ReturnId',
        success: {
          status: '200',
          description: 'The return',
          content: json(ref('Return')),
          headers: ['ETag'],
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        sendEntity(res, 200, await oms.returns.get(returnId(req)));
      },
    },
    {
      method: 'patch',
      path: '/returns/{id}/state',
      operation: {
        operationId: 'transitionReturn',
        summary: 'Transition return',
        description:
          'Moves the return to `state` (or applies the machine `event`); `pickup_scheduled` takes ' +
          '`pickupAt`, `rejected` a `reason`. Approving an exchange creates its replacement order ' +
          '(409 `insufficient_stock` when its lines are not in stock); rejecting or cancelling ' +
          'it cancels a pending replacement. With `If-Match` the change applies only to that version.',
        pathId: 'ReturnId',
        ifMatch: true,
        body: { schema: 'TransitionReturnInput', example: { state: 'approved' } },
        success: {
          status: '200',
          description: 'The return after the transition',
          content: json(ref('Return')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = returnId(req);
        const ret = await oms.returns.transition(
          id,
          bodyOf(req) as TransitionReturnInput,
          versionOptions(req),
        );
        sendEntity(res, 200, ret);
      },
    },
    {
      method: 'post',
      path: '/returns/{id}/retry-refund',
      operation: {
        operationId: 'retryReturnRefund',
        summary: 'Retry a failed return refund',
        description:
          'A processed return whose refund was refused for good carries `refundFailure`; once ' +
          'the cause is fixed (more money captured, the card works again), this clears it and ' +
          'runs the refund again. A return without a failure is returned unchanged.',
        pathId: 'ReturnId',
        body: {
          schema: 'RetryRefundInput',
          example: { reason: 'captured the rest' },
          required: false,
        },
        success: {
          status: '200',
          description: 'The return, its refund running again',
          content: json(ref('Return')),
          headers: ['ETag'],
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        const id = returnId(req);
        sendEntity(res, 200, await oms.returns.retryRefund(id, bodyOf(req) as RetryRefundInput));
      },
    },
    {
      method: 'post',
      path: '/returns/{id}/mark-refunded',
      operation: {
        operationId: 'markReturnRefunded',
        summary: 'Mark a failed return refund as refunded by hand',
        description:
          'The money of a return whose refund failed went back outside orderflow (the ' +
          "provider's dashboard, cash, a voucher): the return becomes `refunded` (its order " +
          '`returned` once every unit is back), with `reason` in its history. 422 ' +
          'refund_not_failed for a return whose refund did not fail; a refunded return is ' +
          'returned unchanged.',
        pathId: 'ReturnId',
        body: { schema: 'MarkRefundedInput', example: { reason: 'bank transfer, ref 4711' } },
        success: {
          status: '200',
          description: 'The refunded return',
          content: json(ref('Return')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = returnId(req);
        sendEntity(res, 200, await oms.returns.markRefunded(id, bodyOf(req) as MarkRefundedInput));
      },
    },
    {
      method: 'get',
      path: '/returns/{id}/history',
      operation: {
        operationId: 'getReturnHistory',
        summary: 'Get return history',
        description: 'Every state change of the return, oldest first.',
        pathId: 'ReturnId',
        success: {
          status: '200',
          description: 'The state history',
          content: json(ref('HistoryList')),
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        res.json({ data: await oms.returns.history(returnId(req)) });
      },
    },
  ],
});
