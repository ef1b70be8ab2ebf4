import { Router } from 'express';
import {
  type CreateReturnInput,
  listReturnsQuery,
  type OrderSystem,
  type TransitionReturnInput,
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

/**
 * `/api/v1/returns`. Bodies are validated by the managers with the exported schemas
 * (`createReturnInput`, `transitionReturnInput`).
 */
export function returnsRouter(oms: OrderSystem): Router {
  const router = Router();
  const returnId = (req: Parameters<typeof idParam>[0]) => idParam(req, 'id', 'return', 'return');

  router
    .route('/')
    .post(async (req, res) => {
      const ret = await oms.returns.create(
        bodyOf(req) as CreateReturnInput,
        idempotencyOptions(req),
      );
      sendEntity(res, 201, ret, { location: `${req.baseUrl}/${ret.id}` });
    })
    .get(async (req, res) => {
      res.json(await oms.returns.list(queryOf(listReturnsQuery, req)));
    })
    .all(methodNotAllowed(['GET', 'POST']));

  // Before `/:id`, so `preview` is never taken for an id.
  router
    .route('/preview')
    .post(async (req, res) => {
      res.json(await oms.returns.preview(bodyOf(req) as CreateReturnInput));
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/:id')
    .get(async (req, res) => {
      sendEntity(res, 200, await oms.returns.get(returnId(req)));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/:id/state')
    .patch(async (req, res) => {
      const id = returnId(req);
      const ret = await oms.returns.transition(
        id,
        bodyOf(req) as TransitionReturnInput,
        versionOptions(req),
      );
      sendEntity(res, 200, ret);
    })
    .all(methodNotAllowed(['PATCH']));

  return router;
}
