import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { ProviderUnavailableError } from '../../src/errors.js';
import { callProvider } from '../../src/managers/provider-call.js';

describe('calling the payment provider', () => {
  it('retries a thrown failure and, after the last try, keeps it as the cause', async () => {
    const config = resolveConfig({ providerRetries: 2, providerRetryMinTimeoutMs: 1 });
    const failure = new Error('socket hang up');
    let tries = 0;

    const error = await callProvider(config, 'capture', async () => {
      tries += 1;
      throw failure;
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ code: 'provider_unavailable', cause: failure });
    expect(tries).toBe(3);
  });
});
