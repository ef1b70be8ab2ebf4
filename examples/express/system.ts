import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createOrderSystem,
  type JobRunner,
  type Logger,
  type OrderSystem,
  type StorageAdapter,
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
      payments: fakePaymentProvider(),
      carrier: fakeCarrier(),
      logger,
    });
  } catch (error) {
    await Promise.allSettled([jobs.stop(), storage.close()]);
    throw error;
  }
}
