/**
 * Wiring of the HTTP tests: the example app (`createApp`) over an order system on the
 * backend named by `ORDERFLOW_E2E_BACKEND` (today only `sqlite`: an in-memory SQLite
 * database and the in-process runner), the fake payment provider and carrier, and a silent
 * logger. Every app built here is closed by `closeApiTests()`, called in `afterEach`.
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
import { inProcessJobs } from 'orderflow/adapters/in-process';
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
import { type AppOptions, createApp } from '../../examples/express/app.js';

export const API_KEY = 'test_api_key_0123456789';

/** A storage adapter and job runner pair the HTTP tests can run on. */
export interface Backend {
  name: string;
  storage(): StorageAdapter;
  jobs(): JobRunner;
}

const BACKENDS: Record<string, Backend> = {
  sqlite: {
    name: 'sqlite',
    storage: () => sqliteStorage({ filename: ':memory:' }),
    jobs: () =>
      inProcessJobs({
        logger: silentLogger,
        backoff: { minTimeoutMs: 1, factor: 1, maxTimeoutMs: 5 },
      }),
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

const open: OrderSystem[] = [];

/** The example app on a fresh order system; `closeApiTests()` closes it. */
export async function apiTest(options: ApiTestOptions = {}): Promise<ApiTest> {
  const backend = selectedBackend();
  const provider = options.payments ?? fakePaymentProvider();
  const carrier = fakeCarrier();
  const storage = backend.storage();
  const oms = await createOrderSystem({
    storage: options.wrapStorage ? options.wrapStorage(storage) : storage,
    jobs: backend.jobs(),
    payments: provider,
    carrier,
    logger: silentLogger,
    config: { providerRetryMinTimeoutMs: 1, ...options.config },
  });
  open.push(oms);
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

/** Closes every system built since the last call (call it in `afterEach`). */
export async function closeApiTests(): Promise<void> {
  const systems = open.splice(0);
  await Promise.all(systems.map((s) => s.close()));
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
