import {
  type CreateShipmentInput,
  createShipmentInput,
  type OrderSystem,
  shipmentItemInputSchema,
  shipmentItemSchema,
  shipmentSchema,
  shipmentStateSchema,
  type TransitionShipmentInput,
  transitionShipmentInput,
  type UpdateTrackingInput,
  updateTrackingInput,
} from 'orderflow';
import { z } from 'zod';
import { bodyOf, idempotencyOptions, idParam, sendEntity, versionOptions } from '../http.js';
import { ITEM_ID_EXAMPLE, idPathParameter, REPLAY_NOTE } from '../openapi/shared.js';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

const ACTOR = 'api';

/** `GET /api/v1/orders/{id}/shipments`: the shipments of one order, oldest first. */
export const shipmentListSchema = z.object({ data: z.array(shipmentSchema) });

type Req = Parameters<typeof idParam>[0];
const orderId = (req: Req) => idParam(req, 'id', 'order', 'order');
const shipmentId = (req: Req) => idParam(req, 'id', 'shipment', 'shipment');

/**
 * Shipments: `/api/v1/orders/{id}/shipments` and `/api/v1/shipments/{id}`. Bodies are
 * validated by the shipment manager with the exported schemas (`createShipmentInput`,
 * `transitionShipmentInput`, `updateTrackingInput`).
 */
export const shipmentsRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: {
    name: 'Shipments',
    description: 'Shipments: some units of an order sent together, with tracking',
  },
  components: {
    outputs: {
      Shipment: shipmentSchema,
      ShipmentItem: shipmentItemSchema,
      ShipmentState: shipmentStateSchema,
      ShipmentList: shipmentListSchema,
    },
    inputs: {
      CreateShipmentInput: createShipmentInput,
      ShipmentItemInput: shipmentItemInputSchema,
      TransitionShipmentInput: transitionShipmentInput,
      UpdateTrackingInput: updateTrackingInput,
      ShipmentState: shipmentStateSchema,
    },
    parameters: { ShipmentId: idPathParameter(shipmentSchema.shape.id, 'shp', 'shipment') },
  },
  routes: [
    {
      method: 'post',
      path: '/orders/{id}/shipments',
      operation: {
        operationId: 'createShipment',
        summary: 'Create shipment',
        description:
          'Creates a `pending` shipment of some units of a `confirmed` or `processing` order ' +
          '(without `items`: every unit not yet in a live shipment). The first shipment moves a ' +
          'confirmed order to `processing`. A unit is never in two live shipments: asking for ' +
          `more is 422 \`shipment_quantity_exceeded\` with \`details.remaining\`.${REPLAY_NOTE}`,
        pathId: 'OrderId',
        body: {
          schema: 'CreateShipmentInput',
          example: {
            items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1 }],
            carrier: 'UPS',
            trackingNumber: '1Z999AA10123456784',
          },
          required: false,
        },
        idempotencyKey: true,
        success: {
          status: '201',
          description:
            'The created shipment (or the replayed first result of this idempotency key)',
          content: json(ref('Shipment')),
          headers: ['ETag', 'Location', 'IdempotencyReplayed'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const shipment = await oms.shipments.create(
          orderId(req),
          bodyOf(req) as CreateShipmentInput,
          idempotencyOptions(req),
        );
        sendEntity(res, 201, shipment, { location: `${req.baseUrl}/shipments/${shipment.id}` });
      },
    },
    {
      method: 'get',
      path: '/orders/{id}/shipments',
      operation: {
        operationId: 'listOrderShipments',
        summary: 'List shipments of order',
        description: 'Every shipment of the order (cancelled ones too), oldest first.',
        pathId: 'OrderId',
        success: {
          status: '200',
          description: 'The shipments',
          content: json(ref('ShipmentList')),
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        res.json({ data: await oms.shipments.listByOrder(orderId(req)) });
      },
    },
    {
      method: 'get',
      path: '/shipments/{id}',
      operation: {
        operationId: 'getShipment',
        summary: 'Get shipment',
        description: 'The shipment with its units, carrier and tracking.',
        pathId: 'ShipmentId',
        success: {
          status: '200',
          description: 'The shipment',
          content: json(ref('Shipment')),
          headers: ['ETag'],
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        sendEntity(res, 200, await oms.shipments.get(shipmentId(req)));
      },
    },
    {
      method: 'patch',
      path: '/shipments/{id}',
      operation: {
        operationId: 'updateShipmentTracking',
        summary: 'Correct shipment tracking',
        description:
          'Corrects carrier, tracking number or tracking URL of a `pending` or `shipped` ' +
          'shipment (else 422 `shipment_not_updatable`): a history row `UPDATE_TRACKING` and a ' +
          '`shipment.tracking_updated` event. With `If-Match` the change applies only to that version.',
        pathId: 'ShipmentId',
        ifMatch: true,
        body: {
          schema: 'UpdateTrackingInput',
          example: { carrier: 'DHL', trackingNumber: 'JD014600006281230704' },
        },
        success: {
          status: '200',
          description: 'The shipment with its new tracking',
          content: json(ref('Shipment')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = shipmentId(req);
        const shipment = await oms.shipments.updateTracking(
          id,
          bodyOf(req) as UpdateTrackingInput,
          { ...versionOptions(req), actor: ACTOR },
        );
        sendEntity(res, 200, shipment);
      },
    },
    {
      method: 'patch',
      path: '/shipments/{id}/state',
      operation: {
        operationId: 'transitionShipment',
        summary: 'Transition shipment',
        description:
          'Moves the shipment to `state` (or applies the machine `event`): `pending → shipped → ' +
          'delivered`, `cancelled` from pending. Carrier and tracking sent with it are stored ' +
          'first. The order follows: `shipped` once every unit shipped, `delivered` once every ' +
          'unit arrived. With `If-Match` the change applies only to that version.',
        pathId: 'ShipmentId',
        ifMatch: true,
        body: {
          schema: 'TransitionShipmentInput',
          example: { state: 'shipped', trackingUrl: 'https://carrier.example/track/1Z999' },
        },
        success: {
          status: '200',
          description: 'The shipment after the transition',
          content: json(ref('Shipment')),
          headers: ['ETag'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const id = shipmentId(req);
        const shipment = await oms.shipments.transition(
          id,
          bodyOf(req) as TransitionShipmentInput,
          { ...versionOptions(req), actor: ACTOR },
        );
        sendEntity(res, 200, shipment);
      },
    },
    {
      method: 'get',
      path: '/shipments/{id}/history',
      operation: {
        operationId: 'getShipmentHistory',
        summary: 'Get shipment history',
        description: 'Every state change and tracking correction of the shipment, oldest first.',
        pathId: 'ShipmentId',
        success: {
          status: '200',
          description: 'The history',
          content: json(ref('HistoryList')),
        },
        errors: ['404'],
      },
      handler: (oms) => async (req, res) => {
        res.json({ data: await oms.shipments.history(shipmentId(req)) });
      },
    },
  ],
});
