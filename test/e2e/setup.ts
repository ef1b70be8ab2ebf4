/**
 * Wiring of the HTTP tests: the example app (`createApp`) over an order system on the
 * backend named by `ORDERFLOW_E2E_BACKEND`, the fake payment provider and carrier, and a
 * silent logger. Every app built here is closed by `closeApiTests()`, called in `afterEach`.
 *
 * - `sqlite` (default): an in-memory SQLite database and the in-process runner.
 * - `postgres`: Postgres (`ORDERFLOW_PG_URL`, a scratch schema per system) and BullMQ on
 *   Redis (`ORDERFLOW_REDIS_URL`, a key prefix per system) with the worker in this process.
 *   `oms.idle()` still means "background work settled": the BullMQ runner's idle() waits
 *   until nothing is waiting, running or due on the queue; delayed jobs not yet due (the
 *   unpaid-order expiry an hour away, the sweep's schedule) don't count.
 *   Closing a system also drops its schema and deletes its Redis keys. When Postgres or
 *   Redis cannot be reached, every test of a file that imports this module is skipped with
 *   a loud warning locally, and fails under `CI=true` (see `backendReady()`).
 *
 * `npm test` runs the e2e files on both: the vitest project `e2e-postgres` sets
 * `ORDERFLOW_E2E_BACKEND=postgres` (vitest.config.ts).
 */
import type express from 'express';
import {
  createOrderSystem,
  type JobRunner,
  type OrderflowConfig,
  type OrderSystem,
  type StorageAdapter,
  silentLogger,
} from 'orderflow';
import { bullmqJobs } from 'orderflow/adapters/bullmq';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import {
  type FakeCarrier,
  type FakePaymentProvider,
  fakeCarrier,
  fakePaymentProvider,
  orderInput,
} from 'orderflow/testing';
import { pino } from 'pino';
import request from 'supertest';
import { beforeEach } from 'vitest';
import { type AppOptions, createApp } from '../../examples/express/app.js';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';
import { deleteTestKeys, REDIS_URL, redisEnabled, uniquePrefix } from '../support/redis.js';

export const API_KEY = 'test_api_key_0123456789';

/** The storage and job runner of one order system, and how to clean up after it. */
export interface BackendParts {
  storage: StorageAdapter;
  jobs: JobRunner;
  /** Removes what the system left outside this process; called after `oms.close()`. */
  cleanup(): Promise<void>;
}

/** A storage adapter and job runner pair the HTTP tests can run on. */
export interface Backend {
  name: string;
  /**
   * Whether the services it needs answer: false skips the tests (after a loud warning);
   * under `CI=true` an unreachable service throws instead.
   */
  available(): Promise<boolean>;
  /** Fresh, empty parts for one order system. */
  open(): BackendParts;
}

const BACKENDS: Record<string, Backend> = {
  sqlite: {
    name: 'sqlite',
    available: async () => true,
    open: () => ({
      storage: sqliteStorage({ filename: ':memory:' }),
      jobs: inProcessJobs({
        logger: silentLogger,
        backoff: { minTimeoutMs: 1, factor: 1, maxTimeoutMs: 5 },
      }),
      cleanup: async () => {},
    }),
  },
  postgres: {
    name: 'postgres',
    // Both are asked (no short-circuit), so each unreachable service gets its warning.
    available: async () => {
      const [pg, redis] = await Promise.all([postgresEnabled(), redisEnabled()]);
      return pg && redis;
    },
    open: () => {
      const schema = scratchSchema();
      const prefix = uniquePrefix();
      return {
        storage: postgresStorage({ connectionString: PG_URL, schema, maxConnections: 5 }),
        jobs: bullmqJobs({
          url: REDIS_URL,
          prefix,
          logger: silentLogger,
          backoff: { delayMs: 20 },
        }),
        cleanup: async () => {
          await Promise.all([dropSchema(schema), deleteTestKeys(prefix)]);
        },
      };
    },
  },
};

/** The backend of this run: `ORDERFLOW_E2E_BACKEND` (default `sqlite`). */
export function selectedBackend(env = process.env): Backend {
  const name = env.ORDERFLOW_E2E_BACKEND?.trim() || 'sqlite';
  const backend = BACKENDS[name];
  if (!backend) {
    throw new Error(
      `ORDERFLOW_E2E_BACKEND=${name} is not known; choose one of ${Object.keys(BACKENDS).join(', ')}`,
    );
  }
  return backend;
}

let ready: Promise<boolean> | undefined;

/** Whether the selected backend's services answer (asked once per test file). */
export function backendReady(): Promise<boolean> {
  ready ??= selectedBackend().available();
  return ready;
}

// Every test of a file that imports this module skips when its backend cannot run here
// (the warning is printed by `available()`; under CI=true it throws and the tests fail).
beforeEach(async (context) => {
  if (!(await backendReady())) {
    context.skip(`ORDERFLOW_E2E_BACKEND=${selectedBackend().name}: its services are unreachable`);
  }
});

export interface ApiTestOptions {
  /** Merged over `{ providerRetryMinTimeoutMs: 1 }`. */
  config?: OrderflowConfig;
  /** @default a new fakePaymentProvider() */
  payments?: FakePaymentProvider;
  /** Wraps the backend's storage (to slow it down or make it fail). */
  wrapStorage?: (storage: StorageAdapter) => StorageAdapter;
  /** Passed to `createApp` over the defaults (API_KEY, a silent logger). */
  app?: Partial<AppOptions>;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface ApiTest {
  app: express.Application;
  oms: OrderSystem;
  provider: FakePaymentProvider;
  carrier: FakeCarrier;
  /** Requests without credentials. */
  http: ReturnType<typeof request>;
  /** Requests with `Authorization: Bearer API_KEY`. */
  api: Record<Method, (path: string) => request.Test>;
}

/** Systems built since the last `closeApiTests()`, with the cleanup of their backend parts. */
const open: { oms: OrderSystem; cleanup(): Promise<void> }[] = [];

/** The example app on a fresh order system; `closeApiTests()` closes it. */
export async function apiTest(options: ApiTestOptions = {}): Promise<ApiTest> {
  const parts = selectedBackend().open();
  const provider = options.payments ?? fakePaymentProvider();
  const carrier = fakeCarrier();
  let oms: OrderSystem;
  try {
    oms = await createOrderSystem({
      storage: options.wrapStorage ? options.wrapStorage(parts.storage) : parts.storage,
      jobs: parts.jobs,
      payments: provider,
      carrier,
      logger: silentLogger,
      config: { providerRetryMinTimeoutMs: 1, ...options.config },
    });
  } catch (error) {
    await Promise.allSettled([parts.jobs.stop(), parts.storage.close()]);
    await parts.cleanup().catch(() => undefined);
    throw error;
  }
  open.push({ oms, cleanup: parts.cleanup });
  const app = createApp(oms, {
    apiKey: API_KEY,
    logger: pino({ level: 'silent' }),
    ...options.app,
  });
  const http = request(app);
  const authed =
    (method: Method) =>
    (path: string): request.Test =>
      http[method](path).set('Authorization', `Bearer ${API_KEY}`);
  return {
    app,
    oms,
    provider,
    carrier,
    http,
    api: {
      get: authed('get'),
      post: authed('post'),
      patch: authed('patch'),
      put: authed('put'),
      delete: authed('delete'),
    },
  };
}

/**
 * Closes every system built since the last call and cleans up after its backend (drops the
 * Postgres schema, deletes the Redis keys); call it in `afterEach`.
 */
export async function closeApiTests(): Promise<void> {
  const systems = open.splice(0);
  const results = await Promise.allSettled(
    systems.map(async ({ oms, cleanup }) => {
      try {
        await oms.close();
      } finally {
        await cleanup();
      }
    }),
  );
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, 'closeApiTests: cleanup failed');
}

/** The body of a valid POST /api/v1/orders (two lines, total 5698 with shipping). */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...orderInput(), ...overrides };
}

/** Creates an order over HTTP and returns its JSON. */
export async function createOrder(
  t: ApiTest,
  overrides: Record<string, unknown> = {},
): Promise<{
  id: string;
  version: number;
  total: number;
  items: { id: string; quantity: number }[];
}> {
  const res = await t.api.post('/api/v1/orders').send(orderBody(overrides)).expect(201);
  return res.body;
}

/** Creates, pays in full (tok_visa) and delivers an order, over HTTP only. */
export async function deliveredOrderViaHttp(
  t: ApiTest,
): Promise<{ orderId: string; paymentId: string; items: { id: string; quantity: number }[] }> {
  const order = await createOrder(t);
  const payment = await t.api
    .post('/api/v1/payments')
    .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
    .expect(201);
  await t.oms.idle(); // the full capture confirms the order in a job
  for (const state of ['processing', 'shipped', 'delivered']) {
    await t.api.patch(`/api/v1/orders/${order.id}/state`).send({ state }).expect(200);
  }
  return { orderId: order.id, paymentId: payment.body.id, items: order.items };
}

/** The `{ error }` body every failure has. */
export function errorOf(res: request.Response): {
  code: string;
  message: string;
  details?: Record<string, unknown>;
} {
  return res.body.error;
}
