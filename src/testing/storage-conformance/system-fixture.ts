import { inProcessJobs } from '../../../adapters/jobs/in-process/index.js';
import type { OrderflowConfig } from '../../config.js';
import { createOrderSystem, type OrderSystem } from '../../create-order-system.js';
import { silentLogger } from '../../ports/logger.js';
import { fakeCarrier } from '../fake-carrier.js';
import { type FakePaymentProvider, fakePaymentProvider } from '../fake-payment-provider.js';
import type { TestApi } from '../test-api.js';
import type { StorageFactory } from './types.js';

/** What a case that runs through the managers gets: the order system and its fake provider. */
export interface SystemFixture {
  system(): OrderSystem;
  provider(): FakePaymentProvider;
}

/**
 * Registers beforeEach/afterEach (from `test`) in the current `describe` that give every
 * test an order system over a fresh store from `factory` — the in-process job runner, the
 * fake provider and carrier — and close it (then run `cleanup`) afterwards.
 */
export function useSystem(
  test: TestApi,
  factory: StorageFactory,
  config: OrderflowConfig = {},
): SystemFixture {
  const { beforeEach, afterEach } = test;
  let current: OrderSystem | undefined;
  let provider: FakePaymentProvider | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const made = await factory();
    cleanup = made.cleanup;
    provider = fakePaymentProvider();
    current = await createOrderSystem({
      storage: made.storage,
      jobs: inProcessJobs({ logger: silentLogger, backoff: { minTimeoutMs: 1, factor: 1 } }),
      payments: provider,
      carrier: fakeCarrier(),
      logger: silentLogger,
      config: { idempotencyWaitMs: 10_000, providerRetryMinTimeoutMs: 1, ...config },
    });
  });
  afterEach(async () => {
    const [done, clean] = [current, cleanup];
    current = undefined;
    cleanup = undefined;
    try {
      await done?.close();
    } finally {
      await clean?.();
    }
  });
  return {
    system() {
      if (!current) throw new Error('storage conformance: no order system (did the factory fail?)');
      return current;
    },
    provider() {
      if (!provider) throw new Error('storage conformance: no provider (did the factory fail?)');
      return provider;
    },
  };
}

/** The outcome of each of `calls`: the resolved values, and the rejections' `code`s. */
export async function outcomes<T>(calls: Promise<T>[]) {
  const settled = await Promise.allSettled(calls);
  return {
    ok: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    codes: settled.flatMap((s) =>
      s.status === 'rejected' ? [(s.reason as { code?: string }).code ?? String(s.reason)] : [],
    ),
  };
}
