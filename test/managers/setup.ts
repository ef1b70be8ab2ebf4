/**
 * Wiring shared by the manager and workflow tests: an order system on memory storage and
 * the in-process runner, a manual clock, the fake payment provider, tiny retry backoff.
 * Every system built here is closed by `closeSystems()`, which each test file calls in
 * `afterEach`.
 */
import {
  type CarrierPort,
  createOrderSystem,
  type Logger,
  type Notification,
  type NotifierPort,
  type OrderflowConfig,
  type OrderSystem,
  type ReturnState,
  type StorageAdapter,
  silentLogger,
} from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { memoryStorage } from 'orderflow/adapters/memory';
import {
  type FakePaymentProvider,
  fakePaymentProvider,
  type ManualClock,
  manualClock,
} from 'orderflow/testing';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface TestSystemOptions {
  /** The provider to wire in; `false` builds a system without any payment provider. */
  payments?: FakePaymentProvider | false;
  carrier?: CarrierPort;
  notifier?: NotifierPort;
  /** Merged over `{ providerRetryMinTimeoutMs: 1 }`. */
  config?: OrderflowConfig;
  /** Share one clock between systems (a restarted process). @default a new manual clock */
  clock?: ManualClock;
  /** Share one store between systems (a restarted process). @default a new memory store */
  storage?: StorageAdapter;
  startJobs?: boolean;
  logger?: Logger;
}

export interface TestSystem {
  oms: OrderSystem;
  clock: ManualClock;
  /** The fake provider (created even when `payments: false`, but then not wired in). */
  provider: FakePaymentProvider;
  storage: StorageAdapter;
}

const open: OrderSystem[] = [];

/** Builds an order system for one test; `closeSystems()` closes it. */
export async function testSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const clock = options.clock ?? manualClock();
  const provider = options.payments || fakePaymentProvider();
  const storage = options.storage ?? memoryStorage();
  const logger = options.logger ?? silentLogger;
  const oms = await createOrderSystem({
    storage,
    jobs: inProcessJobs({ logger, backoff: { minTimeoutMs: 1, factor: 1, maxTimeoutMs: 5 } }),
    ...(options.payments === false ? {} : { payments: provider }),
    ...(options.carrier ? { carrier: options.carrier } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    clock,
    logger,
    config: { providerRetryMinTimeoutMs: 1, ...options.config },
    ...(options.startJobs === undefined ? {} : { startJobs: options.startJobs }),
  });
  open.push(oms);
  return { oms, clock, provider, storage };
}

/** Closes every system built since the last call (call it in `afterEach`). */
export async function closeSystems(): Promise<void> {
  const systems = open.splice(0);
  await Promise.all(systems.map((s) => s.close()));
}

/**
 * The same store with a `close()` that does nothing: a process built on it can "die"
 * (be closed) while another process goes on using the data.
 */
export function survivingStorage(storage: StorageAdapter): StorageAdapter {
  return { ...storage, close: async () => {} };
}

/** A notifier that records every notification it is handed. */
export function recordingNotifier(): NotifierPort & { received: Notification[] } {
  const received: Notification[] = [];
  return {
    received,
    async notify(n) {
      received.push(n);
    },
  };
}

/** The manual steps of a return after approval, up to `target` (pickup booked by hand). */
const RETURN_PATH: ReturnState[] = [
  'approved',
  'pickup_scheduled',
  'in_transit',
  'received',
  'processed',
];

/**
 * Moves a return by hand along the happy path, from wherever it is now (initiated,
 * approved, …) up to `target`. A pickup is booked by hand with `pickupAt`.
 */
export async function walkReturn(
  oms: OrderSystem,
  returnId: string,
  target: (typeof RETURN_PATH)[number],
): Promise<void> {
  const current = await oms.returns.get(returnId);
  const from = RETURN_PATH.indexOf(current.state);
  for (const state of RETURN_PATH.slice(from + 1, RETURN_PATH.indexOf(target) + 1)) {
    await oms.returns.transition(
      returnId,
      state === 'pickup_scheduled' ? { state, pickupAt: '2026-02-01T10:00:00.000Z' } : { state },
    );
  }
}
