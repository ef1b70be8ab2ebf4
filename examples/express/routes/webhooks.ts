import express from 'express';
import { type OrderSystem, providerEventInput, providerEventOutcomeSchema } from 'orderflow';
import { json, ref } from '../openapi/zod-schemas.js';
import { defineRoutes } from '../route-group.js';

/** Largest webhook body taken (providers send a few kilobytes). */
const WEBHOOK_BODY_LIMIT = '256kb';

/**
 * `POST /webhooks/payments`: what the payment provider reports later (a 3-D Secure or bank
 * debit settled, a refund made in its dashboard, a dispute). Outside the bearer key — the
 * provider signs its deliveries instead, and the signature is checked over the raw body
 * exactly as received (this route reads the bytes itself; no JSON parser runs before it).
 * A delivery whose signature does not hold is 401 and writes nothing; an event seen before
 * is answered `duplicate`, one that cannot apply `ignored` (both 200, so the provider stops
 * retrying).
 */
export const webhooksRoutes = defineRoutes<OrderSystem>({
  scope: 'public',
  tag: { name: 'Webhooks', description: 'Deliveries from the payment provider' },
  components: {
    outputs: { ProviderEventOutcome: providerEventOutcomeSchema },
    inputs: { ProviderEvent: providerEventInput },
  },
  routes: [
    {
      method: 'post',
      path: '/webhooks/payments',
      operation: {
        operationId: 'receivePaymentWebhook',
        summary: 'Receive a payment provider webhook',
        description:
          "Takes a delivery of the configured payment provider, verified by the provider's " +
          '`parseWebhook` over the raw body (the fake provider signs as Standard Webhooks: ' +
          '`webhook-id`, `webhook-timestamp`, `webhook-signature`), and applies its event once: ' +
          'a repeated event id is answered `duplicate`, an event naming an unknown payment or a ' +
          'move the payment cannot make `ignored`. No bearer key: a bad signature is 401 ' +
          '`invalid_webhook_signature` and writes nothing. The body shown is the fake ' +
          "provider's; another provider sends its own.",
        body: {
          schema: 'ProviderEvent',
          example: {
            id: 'evt_fake_1',
            type: 'payment.succeeded',
            providerReference: 'ch_fake_1',
          },
        },
        success: {
          status: '200',
          description: 'What was done with the event',
          content: json(ref('ProviderEventOutcome')),
        },
        errors: ['400'],
        otherResponses: {
          '401': {
            description:
              'invalid_webhook_signature: the signature is missing, stale or does not match the body',
            content: {
              'application/json': {
                schema: ref('Error'),
                example: {
                  error: {
                    code: 'invalid_webhook_signature',
                    message: 'The webhook signature does not match its body',
                  },
                },
              },
            },
          },
        },
      },
      handler: (oms) => [
        express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
        async (req, res) => {
          const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          res.setHeader('Cache-Control', 'no-store');
          res.status(200).json(await oms.payments.applyWebhook(raw, req.headers));
        },
      ],
    },
  ],
});
