import { Router } from 'express';
import type {
  CapturePaymentInput,
  OrderSystem,
  ProcessPaymentInput,
  RefundPaymentInput,
} from 'orderflow';
import { methodNotAllowed } from '../errors.js';
import { bodyOf, idempotencyOptions, idParam, sendEntity } from '../http.js';

/**
 * `/api/v1/payments`. Bodies are validated by the managers with the exported schemas
 * (`processPaymentInput`, `refundPaymentInput`, `capturePaymentInput`).
 */
export function paymentsRouter(oms: OrderSystem): Router {
  const router = Router();
  const paymentId = (req: Parameters<typeof idParam>[0]) =>
    idParam(req, 'id', 'payment', 'payment');

  router
    .route('/')
    .post(async (req, res) => {
      const payment = await oms.payments.process(
        bodyOf(req) as ProcessPaymentInput,
        idempotencyOptions(req),
      );
      sendEntity(res, 201, payment, { location: `${req.baseUrl}/${payment.id}` });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/:id')
    .get(async (req, res) => {
      sendEntity(res, 200, await oms.payments.get(paymentId(req)));
    })
    .all(methodNotAllowed(['GET']));

  router
    .route('/:id/refund')
    .post(async (req, res) => {
      const id = paymentId(req);
      const refund = await oms.payments.refund(
        id,
        bodyOf(req) as RefundPaymentInput,
        idempotencyOptions(req),
      );
      sendEntity(res, 201, refund);
    })
    .all(methodNotAllowed(['POST']));

  // For payments made with `capture: 'manual'`.
  router
    .route('/:id/capture')
    .post(async (req, res) => {
      const id = paymentId(req);
      sendEntity(res, 200, await oms.payments.capture(id, bodyOf(req) as CapturePaymentInput));
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/:id/void')
    .post(async (req, res) => {
      const id = paymentId(req);
      sendEntity(res, 200, await oms.payments.void(id));
    })
    .all(methodNotAllowed(['POST']));

  return router;
}
