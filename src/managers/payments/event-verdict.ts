import type { z } from 'zod';
import type { PaymentRecord, providerEventInput } from '../../schemas/payment.js';

/** A provider event after its schema: what the event handlers are given. */
export type ParsedProviderEvent = z.output<typeof providerEventInput>;

/** What an event did to its (locked) payment. */
export type EventVerdict =
  | {
      status: 'applied';
      /** The payment as saved, when it now has a capture to send to the provider. */
      captureNext?: PaymentRecord;
    }
  | { status: 'ignored'; reason: string };

/** An event stored but not applied, and why. */
export const ignored = (reason: string): EventVerdict => ({ status: 'ignored', reason });
