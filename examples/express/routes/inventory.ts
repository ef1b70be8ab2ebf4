import type { Request } from 'express';
import {
  type AdjustStockInput,
  adjustStockInput,
  inventoryItemSchema,
  listInventoryQuery,
  listMovementsQuery,
  movementReasonSchema,
  type OrderSystem,
  pageSchema,
  type SetStockInput,
  setStockInput,
  skuSchema,
  stockMovementSchema,
} from 'orderflow';
import { bodyOf, idempotencyOptions, queryOf, sendEntity, versionOptions } from '../http.js';
import { REPLAY_NOTE } from '../openapi/shared.js';
import { json, ref, standalone } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

/**
 * The `{sku}` of the path, as Express decoded it (`%2F` stays inside the SKU). The manager
 * validates it: longer than 100 characters is 400 `validation_error`.
 */
const skuOf = (req: Request): string => String(req.params.sku);

/**
 * `/api/v1/inventory`: stock per SKU and its ledger. Bodies and queries are validated by the
 * inventory manager with the exported schemas (`setStockInput`, `adjustStockInput`, …).
 */
export const inventoryRoutes = defineRoutes<OrderSystem>({
  scope: 'api',
  tag: {
    name: 'Inventory',
    description: 'Stock per SKU: reservations by orders, shipments out, returns back',
  },
  components: {
    outputs: {
      InventoryItem: inventoryItemSchema,
      InventoryPage: pageSchema(inventoryItemSchema),
      StockMovement: stockMovementSchema,
      StockMovementPage: pageSchema(stockMovementSchema),
      MovementReason: movementReasonSchema,
    },
    inputs: { SetStockInput: setStockInput, AdjustStockInput: adjustStockInput },
    parameters: {
      Sku: {
        name: 'sku',
        in: 'path',
        required: true,
        description: 'The stock-keeping unit, as order lines carry it (URL-encoded)',
        schema: standalone(skuSchema),
        example: 'TSHIRT-M',
      },
    },
  },
  routes: [
    {
      method: 'get',
      path: '/inventory',
      operation: {
        operationId: 'listInventory',
        summary: 'List stock',
        description:
          'Tracked SKUs in SKU order, keyset-paginated: pass `nextCursor` of a page as `cursor` ' +
          'for the next. `belowAvailable=n` keeps the SKUs whose `available` is below n (what ' +
          'to reorder).',
        query: listInventoryQuery,
        success: {
          status: '200',
          description: 'A page of stock records',
          content: json(ref('InventoryPage')),
        },
        errors: ['400'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.inventory.list(queryOf(listInventoryQuery, req)));
      },
    },
    {
      method: 'get',
      path: '/inventory/{sku}',
      operation: {
        operationId: 'getStock',
        summary: 'Get stock',
        description:
          'The stock of a tracked SKU: `onHand`, `reserved` (units held by live orders, not ' +
          'shipped yet) and `available = onHand − reserved`. An untracked SKU is 404.',
        pathId: 'Sku',
        success: {
          status: '200',
          description: 'The stock record',
          content: json(ref('InventoryItem')),
          headers: ['ETag'],
        },
        errors: ['400', '404'],
      },
      handler: (oms) => async (req, res) => {
        sendEntity(res, 200, await oms.inventory.get(skuOf(req)));
      },
    },
    {
      method: 'put',
      path: '/inventory/{sku}',
      operation: {
        operationId: 'setStock',
        summary: 'Set stock',
        description:
          'Sets the count on hand (e.g. from a warehouse system) and whether orders may take ' +
          'more than is available; starts tracking an untracked SKU. Idempotent: the same ' +
          'count twice changes nothing. A count below what live orders hold is 409 ' +
          '`insufficient_stock`. With `If-Match` the count applies only to that version of ' +
          'the record (every reservation moves it on); `"0"` means "not tracked yet".',
        pathId: 'Sku',
        ifMatch: true,
        body: { schema: 'SetStockInput', example: { onHand: 40, allowBackorder: false } },
        success: {
          status: '200',
          description: 'The stock record',
          content: json(ref('InventoryItem')),
          headers: ['ETag'],
        },
        errors: ['409'],
      },
      handler: (oms) => async (req, res) => {
        const stock = await oms.inventory.set(
          skuOf(req),
          bodyOf(req) as SetStockInput,
          versionOptions(req),
        );
        sendEntity(res, 200, stock);
      },
    },
    {
      method: 'post',
      path: '/inventory/{sku}/adjustments',
      operation: {
        operationId: 'adjustStock',
        summary: 'Adjust stock',
        description:
          'Changes the count on hand of a tracked SKU by `delta` (a delivery in, breakage out), ' +
          'with a `reason` kept in the ledger. Taking away more than is available is 409 ' +
          '`insufficient_stock` (unless backorders are allowed). With `If-Match` it applies ' +
          `only to that version of the record.${REPLAY_NOTE}`,
        pathId: 'Sku',
        ifMatch: true,
        body: { schema: 'AdjustStockInput', example: { delta: 24, reason: 'delivery 4711' } },
        idempotencyKey: true,
        success: {
          status: '200',
          description:
            'The stock record after the adjustment (or the replayed first result of this ' +
            'idempotency key)',
          content: json(ref('InventoryItem')),
          headers: ['ETag', 'IdempotencyReplayed'],
        },
        errors: ['404', '409', '422'],
      },
      handler: (oms) => async (req, res) => {
        const stock = await oms.inventory.adjust(skuOf(req), bodyOf(req) as AdjustStockInput, {
          ...versionOptions(req),
          ...idempotencyOptions(req),
        });
        sendEntity(res, 200, stock);
      },
    },
    {
      method: 'get',
      path: '/inventory/{sku}/movements',
      operation: {
        operationId: 'listStockMovements',
        summary: 'List stock movements',
        description:
          "The SKU's ledger, newest first and keyset-paginated: every `set`, `adjust`, " +
          '`reserve`, `release`, `ship` and `restock`, with the order, shipment or return it ' +
          'came from. Summing every movement gives `onHand` and `reserved`.',
        pathId: 'Sku',
        query: listMovementsQuery,
        success: {
          status: '200',
          description: 'A page of movements',
          content: json(ref('StockMovementPage')),
        },
        errors: ['400', '404'],
      },
      handler: (oms) => async (req, res) => {
        res.json(await oms.inventory.movements(skuOf(req), queryOf(listMovementsQuery, req)));
      },
    },
  ],
});
