import type { PaymentManager } from '../managers/payment-manager.js';
import type { SystemContext } from '../managers/system-context.js';
import type { CarrierPort } from '../ports/carrier.js';
import type { JobRunner } from '../ports/job-runner.js';
import type { NotifierPort } from '../ports/notifier.js';

/** What the background job handlers work with. */
export interface JobDeps {
  ctx: SystemContext;
  payments: PaymentManager;
  carrier: CarrierPort;
  notifier: NotifierPort;
  /** The runner the handlers are registered on, for follow-up jobs. */
  jobs: JobRunner;
}

export const SYSTEM_ACTOR = { actor: 'system' } as const;
