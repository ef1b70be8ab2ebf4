import { type OrderflowConfig, resolveConfig } from './config.js';
import { OrderflowEvents } from './events/event-bus.js';
import { loggingNotifier } from './events/logging-notifier.js';
import { OutboxDispatcher } from './events/outbox-dispatcher.js';
import { JOB_NAMES } from './jobs/definitions.js';
import { registerJobs } from './jobs/register.js';
import { type DeadLetters, deadLetters } from './managers/dead-letters.js';
import { InventoryManager } from './managers/inventory/inventory-manager.js';
import { OrderManager } from './managers/order-manager.js';
import { PaymentManager } from './managers/payment-manager.js';
import { ReturnManager } from './managers/return-manager.js';
import { ShipmentManager } from './managers/shipments/shipment-manager.js';
import type { SystemContext } from './managers/system-context.js';
import type { CarrierPort } from './ports/carrier.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { JobRunner } from './ports/job-runner.js';
import { consoleLogger, type Logger } from './ports/logger.js';
import type { NotifierPort } from './ports/notifier.js';
import type { PaymentProvider } from './ports/payment-provider.js';
import type { StorageAdapter } from './ports/storage.js';

/** Options of `createOrderSystem`. Only `storage` and `jobs` are required. */
export interface OrderSystemOptions {
  /** Where orders, returns, payments, history, outbox and idempotency keys live. */
  storage: StorageAdapter;
  /** Runs background work: refunds, pickups, expiry, notifications, the sweep. */
  jobs: JobRunner;
  /**
   * The payment provider. Without one, payment calls fail with a configuration error;
   * orders and returns work normally.
   */
  payments?: PaymentProvider;
  /** Books return pickups. Without one, pickups are scheduled by hand (`pickupAt`). */
  carrier?: CarrierPort;
  /** Tells the outside world about every event. @default logs each event at debug level */
  notifier?: NotifierPort;
  /** Where time comes from. @default the system clock */
  clock?: Clock;
  /** @default warnings and errors to the console */
  logger?: Logger;
  /** Business settings; see `OrderflowConfig` for defaults. */
  config?: OrderflowConfig;
  /** Run storage migrations at start. @default true */
  migrate?: boolean;
  /** Start the job runner (and the recurring sweep) at once; else call `start()`. @default true */
  startJobs?: boolean;
}

/** A running order system: the managers, the events, the job runner and `close()`. */
export interface OrderSystem {
  orders: OrderManager;
  returns: ReturnManager;
  payments: PaymentManager;
  /** Shipments: partial and split fulfilment of orders, with tracking. */
  shipments: ShipmentManager;
  /** Stock per SKU: reservations that never oversell, and a ledger of every movement. */
  inventory: InventoryManager;
  /**
   * Work given up after the job runner's last attempt (e.g. notifications a webhook
   * endpoint never accepted), newest first.
   *
   * ```ts
   * const { data } = await oms.deadLetters.list({ limit: 20 });
   * ```
   */
  deadLetters: DeadLetters;
  events: OrderflowEvents;
  jobs: JobRunner;
  storage: StorageAdapter;
  /**
   * Starts the job runner, schedules the recurring sweep and dispatches outbox rows left
   * by a crashed process. Done by `createOrderSystem` unless `startJobs: false`; calling it
   * again does nothing.
   */
  start(): Promise<void>;
  /** Runs the sweep now (it also runs on a schedule): re-enqueues lost work. */
  sweep(): Promise<number>;
  /** Resolves when no outbox row and no due job is left (tests, graceful hand-offs). */
  idle(): Promise<void>;
  /** Stops the job runner gracefully, then closes the storage adapter. */
  close(): Promise<void>;
}

/**
 * Wires storage, jobs, payments, clock and events into the managers.
 *
 * ```ts
 * import { createOrderSystem } from 'orderflow';
 * import { memoryStorage } from 'orderflow/adapters/memory';
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 * import { fakePaymentProvider } from 'orderflow/testing';
 *
 * const oms = await createOrderSystem({
 *   storage: memoryStorage(), jobs: inProcessJobs(), payments: fakePaymentProvider(),
 *   config: { returnWindowDays: 30, unpaidOrderTtlMinutes: 60 },
 * });
 * ```
 */
export async function createOrderSystem(options: OrderSystemOptions): Promise<OrderSystem> {
  if (!options?.storage) throw new TypeError('createOrderSystem: `storage` is required');
  if (!options.jobs) throw new TypeError('createOrderSystem: `jobs` is required');
  const config = resolveConfig(options.config);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? consoleLogger;
  const { storage, jobs } = options;
  if (options.clock) jobs.useClock?.(options.clock);

  if (options.migrate !== false) await storage.migrate();

  const events = new OrderflowEvents(logger);
  const dispatcher = new OutboxDispatcher({
    storage,
    jobs,
    events,
    clock,
    logger,
    config,
    leaseMs: config.outboxLeaseMs,
  });
  const ctx: SystemContext = {
    storage,
    clock,
    config,
    logger,
    dispatcher,
    paymentProvider: options.payments,
    outboxLeaseMs: config.outboxLeaseMs,
  };
  const orders = new OrderManager(ctx);
  const returns = new ReturnManager(ctx);
  const payments = new PaymentManager(ctx);
  const shipments = new ShipmentManager(ctx);
  const inventory = new InventoryManager(ctx);
  const runSweep = registerJobs(jobs, {
    ctx,
    payments,
    carrier: options.carrier,
    notifier: options.notifier ?? loggingNotifier(logger),
  });

  let started: Promise<void> | undefined;
  const start = () => {
    started ??= (async () => {
      await jobs.start();
      await jobs.schedule(JOB_NAMES.sweep, config.sweepIntervalMs, {});
      // Rows left by a process that died between commit and dispatch.
      await dispatcher.drain();
    })();
    return started;
  };
  if (options.startJobs !== false) await start();

  let closed = false;
  return {
    start,
    orders,
    returns,
    payments,
    shipments,
    inventory,
    deadLetters: deadLetters(storage),
    events,
    jobs,
    storage,
    sweep: async () => (await runSweep()).length,
    async idle() {
      for (let round = 0; round < 100; round++) {
        await jobs.idle();
        if ((await dispatcher.drain()) === 0 && (await storage.outbox.count()) === 0) {
          await jobs.idle();
          return;
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      // Dispatched rows not deleted yet go now; left behind, the sweep would send them again.
      await dispatcher.flush();
      await jobs.stop();
      events.removeAllListeners();
      await storage.close();
    },
  };
}
