import type { ResolvedConfig } from '../config.js';
import type { OutboxDispatcher } from '../events/outbox-dispatcher.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { PaymentProvider } from '../ports/payment-provider.js';
import type { StorageAdapter } from '../ports/storage.js';

/** What every manager shares: built once by `createOrderSystem`. */
export interface SystemContext {
  storage: StorageAdapter;
  clock: Clock;
  config: ResolvedConfig;
  logger: Logger;
  dispatcher: OutboxDispatcher;
  paymentProvider: PaymentProvider | undefined;
  /** How long the committing process has to dispatch its outbox rows before others may. */
  outboxLeaseMs: number;
}
