import type { CarrierPort } from '../ports/carrier.js';
import type { JobRunner } from '../ports/job-runner.js';
import { JOB_NAMES, type JobRequest } from './definitions.js';
import { notifyHandler } from './handlers/notify.js';
import { refundOrderExcessHandler } from './handlers/order-excess.js';
import {
  confirmPaidOrderHandler,
  expireUnpaidOrderHandler,
  refundCancelledOrderHandler,
} from './handlers/order-jobs.js';
import { reconcilePaymentHandler } from './handlers/reconcile-payment.js';
import { refundReturnHandler, schedulePickupHandler } from './handlers/return-jobs.js';
import type { JobDeps } from './job-deps.js';
import { sweep } from './sweep.js';

/** Registers every orderflow job on the runner; returns a function that runs the sweep now. */
export function registerJobs(
  jobs: JobRunner,
  deps: Omit<JobDeps, 'carrier' | 'jobs'> & { carrier: CarrierPort | undefined },
): () => Promise<JobRequest[]> {
  const { carrier } = deps;
  const full: JobDeps = {
    ...deps,
    jobs,
    carrier: carrier ?? {
      async schedulePickup() {
        throw new Error('no carrier configured');
      },
    },
  };
  jobs.register(JOB_NAMES.notify, notifyHandler(full));
  jobs.register(JOB_NAMES.expireUnpaidOrder, expireUnpaidOrderHandler(full));
  jobs.register(JOB_NAMES.confirmPaidOrder, confirmPaidOrderHandler(full));
  jobs.register(JOB_NAMES.refundCancelledOrder, refundCancelledOrderHandler(full));
  jobs.register(JOB_NAMES.refundReturn, refundReturnHandler(full));
  jobs.register(JOB_NAMES.reconcilePayment, reconcilePaymentHandler(full));
  jobs.register(JOB_NAMES.refundOrderExcess, refundOrderExcessHandler(full));
  // Without a carrier, pickups are scheduled by hand (`returns.transition` with `pickupAt`).
  jobs.register(JOB_NAMES.schedulePickup, carrier ? schedulePickupHandler(full) : async () => {});
  const runSweep = () => sweep(deps.ctx, jobs);
  jobs.register(JOB_NAMES.sweep, async () => {
    await runSweep();
  });
  return runSweep;
}
