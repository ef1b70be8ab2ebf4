import { type EditOrderInput, editOrderInput, type OrderSystem } from 'orderflow';
import { bodyOf, idempotencyOptions, idParam, sendEntity, versionOptions } from '../http.js';
import { ITEM_ID_EXAMPLE, REPLAY_NOTE } from '../openapi/shared.js';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';
import { ORDERS_TAG } from './orders.js';

const ACTOR = 'api';

/**
 * `POST /api/v1/orders/{id}/edit`: change a placed order (quantities, new lines, totals,
 * address). The order manager validates the body with the exported `editOrderInput`.
 */
export const orderEditRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: ORDERS_TAG,
  components: { inputs: { EditOrderInput: editOrderInput } },
  routes: [
    {
      method: 'post',
      path: '/orders/{id}/edit',
      operation: {
        operationId: 'editOrder',
        summary: 'Edit order',
        description:
          'Changes a `pending`, `confirmed` or `processing` order: new quantities of its lines ' +
          '(0 removes a line), new lines, shipping, tax or discount totals, the shipping ' +
          'address. Totals are recomputed and stock reserved or released in the same ' +
          'transaction. Refused with 422 `order_not_editable` in other states, ' +
          '`edit_below_fulfilled` below the units in shipments, `edit_empties_order` when no ' +
          'unit would be left, `edit_below_credit` below an exchange credit; 409 ' +
          '`insufficient_stock` when new units are not in stock. When the order is left ' +
          'over-paid a job refunds the excess (reason `order_edit`); when it owes more, ' +
          '`balanceDue` shows it and `createPayment` without `amount` charges it. With ' +
          `\`If-Match\` the edit applies only to that version.${REPLAY_NOTE}`,
        pathId: 'OrderId',
        ifMatch: true,
        idempotencyKey: true,
        body: {
          schema: 'EditOrderInput',
          example: {
            items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1 }],
            add: [{ sku: 'MUG-01', name: 'Mug', quantity: 1, unitPrice: 1250 }],
          },
        },
        success: {
          status: '200',
          description: 'The edited order (or the replayed first result of this idempotency key)',
          content: json(ref('Order')),
          headers: ['ETag', 'IdempotencyReplayed'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = idParam(req, 'id', 'order', 'order');
        const order = await oms.orders.edit(id, bodyOf(req) as EditOrderInput, {
          ...versionOptions(req),
          ...idempotencyOptions(req),
          actor: ACTOR,
        });
        sendEntity(res, 200, order);
      },
    },
  ],
});
