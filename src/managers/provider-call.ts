import pRetry from 'p-retry';
import type { ResolvedConfig } from '../config.js';
import { ConfigurationError, ProviderUnavailableError } from '../errors.js';
import type { PaymentProvider, ProviderResult } from '../ports/payment-provider.js';

/** The configured provider, or a clear error: orderflow never fakes a payment. */
export function requireProvider(provider: PaymentProvider | undefined): PaymentProvider {
  if (!provider) {
    throw new ConfigurationError(
      'No payment provider is configured: pass `payments` to createOrderSystem (e.g. fakePaymentProvider() from orderflow/testing in tests)',
    );
  }
  return provider;
}

/**
 * Calls the provider, retrying thrown (transient) failures with exponential backoff. The
 * call must carry the same idempotency key on every try. A decline is a result, not an
 * error, and is never retried. After the last try: ProviderUnavailableError.
 */
export async function callProvider(
  config: ResolvedConfig,
  operation: string,
  call: () => Promise<ProviderResult>,
): Promise<ProviderResult> {
  try {
    return await pRetry(call, {
      retries: config.providerRetries,
      minTimeout: config.providerRetryMinTimeoutMs,
      factor: 2,
      randomize: false,
    });
  } catch (error) {
    throw new ProviderUnavailableError(
      `Payment provider failed to ${operation}; it will be retried`,
      {
        cause: error,
      },
    );
  }
}
