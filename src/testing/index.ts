/**
 * Test helpers: a fake payment provider and carrier, a manual clock, builders, and the
 * conformance suites every storage adapter and job runner must pass.
 *
 * ```ts
 * import { fakePaymentProvider, manualClock, storageConformanceSuite } from 'orderflow/testing';
 * ```
 * @module
 */

export * from './builders.js';
export { type FakeCarrier, fakeCarrier } from './fake-carrier.js';
export {
  type FakeCharge,
  type FakePaymentProvider,
  type FakePaymentProviderOptions,
  fakePaymentProvider,
  type ProviderCall,
  type ProviderFault,
  type ProviderViolation,
  type ProviderViolationKind,
} from './fake-payment-provider.js';
export type { FakeChargeStatus, FakeProviderEvents } from './fake-provider-events.js';
export * from './job-runner-conformance.js';
export { type ManualClock, manualClock } from './manual-clock.js';
export * from './payment-provider-conformance.js';
export * from './storage-conformance.js';
