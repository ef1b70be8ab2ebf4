import { ValidationError, WebhookSignatureError } from '../errors.js';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
  webhookSecretKey,
} from '../notifiers/webhook-signature.js';
import type { WebhookHeaders } from '../ports/payment-provider.js';
import { parseInput } from '../schemas/parse.js';
import { type ProviderEvent, providerEventInput } from '../schemas/payment.js';

/** Where a charge of the fake provider stands. */
export type FakeChargeStatus =
  /** Waiting for the customer (3-D Secure): `completeAction` decides. */
  | 'requires_action'
  /** Waiting for the bank (an asynchronous method): `settle` decides. */
  | 'processing'
  | 'authorized'
  | 'failed'
  | 'canceled';

/** What the fake provider's event side needs of a charge. */
export interface ChargeState {
  reference: string;
  status: FakeChargeStatus;
  captured: number;
  refunded: number;
  refunds: number;
}

/** A dispute at the fake provider. */
interface FakeDispute {
  reference: string;
  chargeReference: string;
  amount: number;
  state: 'open' | 'won' | 'lost';
}

/** The provider-side actions of the fake provider: each returns the event to apply. */
export interface FakeProviderEvents {
  /** The customer finished (`succeed`) or abandoned (`fail`) the action of a `requires_action` charge. */
  completeAction(reference: string, outcome: 'succeed' | 'fail'): ProviderEvent;
  /** The bank settled (`succeed`) or returned (`fail`) a `processing` charge. */
  settle(reference: string, outcome: 'succeed' | 'fail'): ProviderEvent;
  /** The customer's bank opened a chargeback of `amount` on a captured charge. */
  openDispute(reference: string, amount: number, reason?: string): ProviderEvent;
  /** The dispute was decided. */
  closeDispute(disputeReference: string, outcome: 'won' | 'lost'): ProviderEvent;
  /** Someone refunded `amount` of a captured charge in the provider's dashboard. */
  refundFromDashboard(reference: string, amount: number): ProviderEvent;
  /** A webhook delivery of `event` as the provider would send it, signed with its secret. */
  signWebhook(event: ProviderEvent): { body: string; headers: Record<string, string> };
  /**
   * Verifies a delivery's signature (Standard Webhooks over the raw body) and returns its
   * event; throws `WebhookSignatureError` when the signature does not hold.
   */
  parseWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders): ProviderEvent;
}

/**
 * The event side of the fake provider over its charges (`chargeOf` throws for an unknown
 * reference). Webhooks are signed as Standard Webhooks with `secret` (`whsec_…`).
 */
export function fakeProviderEvents(
  chargeOf: (reference: string) => ChargeState,
  secret: string = generateWebhookSecret(),
): FakeProviderEvents {
  const key = webhookSecretKey(secret);
  if (!key) throw new TypeError('fakePaymentProvider: `webhookSecret` must be `whsec_<base64>`');
  const disputes = new Map<string, FakeDispute>();
  let counter = 0;
  const next = (prefix: string) => {
    counter += 1;
    return `${prefix}_fake_${counter}`;
  };

  function decide(
    reference: string,
    waiting: FakeChargeStatus,
    outcome: 'succeed' | 'fail',
    reason: string,
  ): ProviderEvent {
    const charge = chargeOf(reference);
    if (charge.status !== waiting) {
      throw new Error(`fake provider: charge ${reference} is ${charge.status}, not ${waiting}`);
    }
    charge.status = outcome === 'succeed' ? 'authorized' : 'failed';
    return {
      id: next('evt'),
      type: outcome === 'succeed' ? 'payment.succeeded' : 'payment.failed',
      providerReference: reference,
      ...(outcome === 'fail' ? { reason } : {}),
    };
  }

  return {
    completeAction: (reference, outcome) =>
      decide(reference, 'requires_action', outcome, 'authentication_failed'),
    settle: (reference, outcome) => decide(reference, 'processing', outcome, 'debit_returned'),
    openDispute(reference, amount, reason = 'fraudulent') {
      const charge = chargeOf(reference);
      if (amount <= 0 || amount > charge.captured) {
        throw new Error(`fake provider: cannot dispute ${amount} of ${charge.captured} captured`);
      }
      const dispute: FakeDispute = {
        reference: next('dp'),
        chargeReference: reference,
        amount,
        state: 'open',
      };
      disputes.set(dispute.reference, dispute);
      return {
        id: next('evt'),
        type: 'dispute.opened',
        providerReference: reference,
        disputeReference: dispute.reference,
        amount,
        reason,
      };
    },
    closeDispute(disputeReference, outcome) {
      const dispute = disputes.get(disputeReference);
      if (!dispute) throw new Error(`fake provider: unknown dispute ${disputeReference}`);
      if (dispute.state !== 'open') {
        throw new Error(`fake provider: dispute ${disputeReference} is already ${dispute.state}`);
      }
      dispute.state = outcome;
      return {
        id: next('evt'),
        type: outcome === 'won' ? 'dispute.won' : 'dispute.lost',
        providerReference: dispute.chargeReference,
        disputeReference,
        amount: dispute.amount,
      };
    },
    refundFromDashboard(reference, amount) {
      const charge = chargeOf(reference);
      if (amount <= 0 || charge.refunded + amount > charge.captured) {
        throw new Error(
          `fake provider: cannot refund ${amount}; ${charge.captured - charge.refunded} is left`,
        );
      }
      charge.refunded += amount;
      charge.refunds += 1;
      return {
        id: next('evt'),
        type: 'refund.created',
        providerReference: reference,
        refundReference: next('re'),
        amount,
      };
    },
    signWebhook(event) {
      const body = JSON.stringify(event);
      // The delivery id is the event's (a malformed test event gets one of its own).
      const id =
        typeof event.id === 'string' && /^[\w.:-]+$/.test(event.id) ? event.id : next('msg');
      const headers = signWebhook(key, id, Math.floor(Date.now() / 1000), body);
      return { body, headers: { 'content-type': 'application/json', ...headers } };
    },
    parseWebhook(rawBody, headers) {
      const ok = verifyWebhookSignature({
        payload: rawBody,
        headers: headers as Record<string, string | string[] | undefined>,
        secret,
      });
      if (!ok) throw new WebhookSignatureError('The webhook signature does not match its body');
      const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (cause) {
        throw new ValidationError(
          'The webhook body is not JSON',
          [{ path: [], message: 'not valid JSON', code: 'invalid_json' }],
          { cause },
        );
      }
      return parseInput(providerEventInput, body, 'webhook event');
    },
  };
}
