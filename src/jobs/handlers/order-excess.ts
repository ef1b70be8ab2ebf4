import { saveExcessRefunds } from '../../managers/payments/excess.js';
import { runCommand } from '../../managers/unit-of-work.js';
import type { JobPayloads } from '../definitions.js';
import type { JobDeps } from '../job-deps.js';

/**
 * Refunds what an order holds beyond its total (an edit lowered it): the refund intents
 * are saved in one locked step, then sent to the provider. Re-runs find nothing left; a
 * crash after the intents is finished by the sweep (they are unsettled refunds). A
 * provider decline is logged and left for a person: the refund shows as failed.
 */
export function refundOrderExcessHandler({ ctx, payments }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.refund-order-excess']) => {
    const intents = await runCommand(ctx, (uow) => saveExcessRefunds(uow, orderId));
    for (const { payment, refund } of intents) {
      try {
        await payments.settleRefund(payment, refund);
      } catch (error) {
        if ((error as { code?: string }).code !== 'payment_declined') throw error;
        ctx.logger.warn(
          { orderId, paymentId: payment.id, refundId: refund.id },
          'the refund of what an order edit left over-paid was declined',
        );
      }
    }
  };
}
