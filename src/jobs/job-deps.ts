import type { PaymentManager } from '../managers/payment-manager.js';
import type { SystemContext } from '../managers/system-context.js';
import type { CarrierPort } from '../ports/carrier.js';
import type { NotifierPort } from '../ports/notifier.js';

/** What the background job handlers work with. */
export interface JobDeps {
  ctx: SystemContext;
  payments: PaymentManager;
  carrier: CarrierPort;
  notifier: NotifierPort;
}

export const SYSTEM_ACTOR = { actor: 'system' } as const;
