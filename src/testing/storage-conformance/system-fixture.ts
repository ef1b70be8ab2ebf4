import { inProcessJobs } from '../../../adapters/jobs/in-process/index.js';
import type { OrderflowConfig } from '../../config.js';
import { createOrderSystem, type OrderSystem } from '../../create-order-system.js';
import { isOrderflowError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import { silentLogger } from '../../ports/logger.js';
import type { StorageAdapter } from '../../ports/storage.js';
import { fakeCarrier } from '../fake-carrier.js';
import { type FakePaymentProvider, fakePaymentProvider } from '../fake-payment-provider.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import type { StorageFactory } from './types.js';

/** What a case that runs through the managers gets: the order system and its fake provider. */
export interface SystemFixture {
  system(): OrderSystem;
  provider(): FakePaymentProvider;
}

/** How {@link useSystem} builds the system beyond its config. */
export interface SystemFixtureOptions {
  /** Builds the clock of each test's system. @default the system clock */
  clock?: () => Clock;
  /** Wraps the fresh store (to inject faults) before the system is built on it. */
  wrap?: (storage: StorageAdapter) => StorageAdapter;
}

/**
 * Registers beforeEach/afterEach (from `test`) in the current `describe` that give every
 * test an order system over a fresh store from `factory` — the in-process job runner, the
 * fake provider and carrier — and close it (then run `cleanup`) afterwards. A test fails
 * if the provider recorded a request the library should never have made (an over-refund,
 * a second charge).
 */
export function useSystem(
  test: TestApi,
  factory: StorageFactory,
  config: OrderflowConfig = {},
  options: SystemFixtureOptions = {},
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
      storage: options.wrap ? options.wrap(made.storage) : made.storage,
      jobs: inProcessJobs({ logger: silentLogger, backoff: { minTimeoutMs: 1, factor: 1 } }),
      payments: provider,
      carrier: fakeCarrier(),
      logger: silentLogger,
      ...(options.clock ? { clock: options.clock() } : {}),
      config: { idempotencyWaitMs: 10_000, providerRetryMinTimeoutMs: 1, ...config },
    });
  });
  afterEach(async () => {
    const [done, clean, asked] = [current, cleanup, provider];
    current = undefined;
    cleanup = undefined;
    provider = undefined;
    try {
      await done?.close();
    } finally {
      await clean?.();
    }
    sameData(asked?.violations ?? [], [], 'the provider was asked to move money it should not');
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

/** The outcome of each of `calls`: the resolved values, the rejections and their `code`s. */
export async function outcomes<T>(calls: Promise<T>[]) {
  const settled = await Promise.allSettled(calls);
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return {
    ok: settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : [])),
    errors,
    codes: errors.map((e) => (e as { code?: string } | null)?.code ?? String(e)),
  };
}

/** Every error is an OrderflowError (a refusal with a code), never a crash or a driver error. */
export function allRefusals(errors: readonly unknown[]): void {
  for (const error of errors) {
    assert.ok(isOrderflowError(error), `expected an OrderflowError, got ${String(error)}`);
  }
}
