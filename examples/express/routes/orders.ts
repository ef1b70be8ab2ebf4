import { Router } from 'express';
import {
  type CancelOrderInput,
  type CreateOrderInput,
  listOrdersQuery,
  type OrderSystem,
  type TransitionOrderInput,
} from 'orderflow';
import { methodNotAllowed } from '../errors.js';
import {
  bodyOf,
  idempotencyOptions,
  idParam,
  queryOf,
  sendEntity,
  versionOptions,
} from '../http.js';

const ACTOR = 'api';

/**
 * `/api/v1/orders`. Bodies go to the managers as they came: each manager parses its input
 * with the exported zod schema (`createOrderInput`, `transitionOrderInput`, …), so the
 * casts below only hand over untrusted data to the one place that validates it.
 */
export function ordersRouter(oms: OrderSystem): Router {
  const router = Router();
  const orderId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', 'order', 'order');

  router
    .route('/')
    .post(async (req, res) => {
      const order = await oms.orders.create(
        bodyOf(req) as CreateOrderInput,
        idempotencyOptions(req),
      );
      sendEntity(res, 201, order, { location: `${req.baseUrl}/${order.id}` });
    })
    .get(async (req, res) => {
      res.json(await oms.orders.list(queryOf(listOrdersQuery, req)));
    })
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route('/:id')
    .get(async (req, res) => {
      sendEntity(res, 200, await oms.orders.get(orderId(req)));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/:id/state')
    .patch(async (req, res) => {
      const id = orderId(req);
      const order = await oms.orders.transition(id, bodyOf(req) as TransitionOrderInput, {
        ...versionOptions(req),
        actor: ACTOR,
      });
      sendEntity(res, 200, order);
    })
    .all(methodNotAllowed(['PATCH']));

  router
    .route('/:id/cancel')
    .post(async (req, res) => {
      const id = orderId(req);
      // Cancelling is idempotent by nature (a cancelled order stays cancelled), so an
      // Idempotency-Key is checked for shape but not needed.
      idempotencyOptions(req);
      const order = await oms.orders.cancel(id, bodyOf(req) as CancelOrderInput, {
        ...versionOptions(req),
        actor: ACTOR,
      });
      sendEntity(res, 200, order);
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/:id/history')
    .get(async (req, res) => {
      res.json({ data: await oms.orders.history(orderId(req)) });
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/:id/payments')
    .get(async (req, res) => {
      const id = orderId(req);
      await oms.orders.get(id); // 404 for an unknown order rather than an empty list
      res.json({ data: await oms.payments.listByOrder(id) });
    })
    .all(methodNotAllowed(['GET']));

  return router;
}
