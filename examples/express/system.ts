import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createOrderSystem,
  type JobRunner,
  type Logger,
  type OrderSystem,
  type PaymentProvider,
  type StorageAdapter,
  type WebhookHeaders,
} from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { fakeCarrier, fakePaymentProvider } from 'orderflow/testing';
import type { ServerConfig } from './config.js';

/**
 * Loads the BullMQ runner only when `REDIS_URL` asks for it, so a SQLite user never needs
 * `bullmq` or `ioredis` installed.
 */
async function bullmqRunner(url: string, prefix: string, logger: Logger): Promise<JobRunner> {
  let mod: typeof import('orderflow/adapters/bullmq');
  try {
    mod = await import('orderflow/adapters/bullmq');
  } catch (cause) {
    throw new Error(
      'REDIS_URL is set but the BullMQ job runner could not be loaded: install it with `npm install bullmq ioredis`',
      { cause },
    );
  }
  return mod.bullmqJobs({ url, prefix, logger });
}

/**
 * The fake provider keeps its charges in memory, but the server's database outlives the
 * process: without this, a payment made before a restart could never be refunded (the new
 * provider has no such charge) and a new charge would reuse an old one's reference. So each
 * charge reference is tagged with the run that made it (`ch_fake_1.<run>`), and a capture,
 * void or refund of an earlier run's charge succeeds as a real provider's would (orderflow
 * itself keeps refunds within what was captured).
 */
export function restartSafeFakeProvider(provider: PaymentProvider): PaymentProvider {
  const tag = `.${randomBytes(4).toString('hex')}`;
  const ours = (reference: string) =>
    reference.endsWith(tag) ? reference.slice(0, -tag.length) : undefined;
  return {
    name: provider.name,
    async authorize(request) {
      const result = await provider.authorize(request);
      // Every answer naming a charge (also a 3-D Secure or processing one) is tagged.
      return 'reference' in result ? { ...result, reference: result.reference + tag } : result;
    },
    async capture(request) {
      const reference = ours(request.providerReference);
      if (reference === undefined)
        return { status: 'succeeded', reference: request.providerReference };
      const result = await provider.capture({ ...request, providerReference: reference });
      return result.status === 'succeeded'
        ? { ...result, reference: request.providerReference }
        : result;
    },
    async void(request) {
      const reference = ours(request.providerReference);
      if (reference === undefined)
        return { status: 'succeeded', reference: request.providerReference };
      const result = await provider.void({ ...request, providerReference: reference });
      return result.status === 'succeeded'
        ? { ...result, reference: request.providerReference }
        : result;
    },
    async refund(request) {
      const reference = ours(request.providerReference);
      if (reference === undefined) {
        return { status: 'succeeded', reference: `re_fake_${request.refundId}` };
      }
      return provider.refund({ ...request, providerReference: reference });
    },
    // The provider's webhooks name its own (untagged) charge references.
    ...(provider.parseWebhook
      ? {
          async parseWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders) {
            const event = await provider.parseWebhook?.(rawBody, headers);
            return event ? { ...event, providerReference: event.providerReference + tag } : null;
          },
        }
      : {}),
  };
}

/**
 * The order system the config asks for: SQLite (the directory of the file is created) or
 * Postgres, in-process or BullMQ jobs, and always the fake payment provider and carrier —
 * this is an example server, no real money or parcel ever moves.
 */
export async function openSystem(config: ServerConfig, logger: Logger): Promise<OrderSystem> {
  let storage: StorageAdapter;
  if (config.storage.kind === 'sqlite') {
    const { filename } = config.storage;
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    storage = sqliteStorage({ filename });
  } else {
    storage = postgresStorage({ connectionString: config.storage.connectionString });
  }
  let jobs: JobRunner;
  try {
    jobs =
      config.jobs.kind === 'in-process'
        ? inProcessJobs({ logger })
        : await bullmqRunner(config.jobs.url, config.jobs.prefix, logger);
  } catch (error) {
    await storage.close();
    throw error;
  }
  try {
    return await createOrderSystem({
      storage,
      jobs,
      payments: restartSafeFakeProvider(
        fakePaymentProvider(
          config.paymentWebhookSecret ? { webhookSecret: config.paymentWebhookSecret } : {},
        ),
      ),
      carrier: fakeCarrier(),
      logger,
      ...(config.orderflow ? { config: config.orderflow } : {}),
    });
  } catch (error) {
    await Promise.allSettled([jobs.stop(), storage.close()]);
    throw error;
  }
}
