/**
 * The example server on Postgres with in-process jobs: create-order over HTTP vs calling
 * the manager directly with the same concurrency, and create + pay through the server with
 * 8 clients (orders/s and latency).
 */
import { benchDatabaseUrl, openSystem, orderInput } from '../lib/backends.js';
import { round, runConcurrent, scaled } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';
import { httpClient, startServerProcess } from '../lib/server.js';

const CONCURRENCY = 8;

export const httpStage: Stage = {
  name: 'http',
  description: 'Postgres: HTTP create-order vs the manager called directly, 8 callers',
  async run(ctx) {
    const n = scaled(2000);
    const sys = await openSystem('postgres');
    let direct: Awaited<ReturnType<typeof runConcurrent>>;
    try {
      await runConcurrent(200, CONCURRENCY, (i) => sys.oms.orders.create(orderInput(i)));
      direct = await runConcurrent(n, CONCURRENCY, (i) => sys.oms.orders.create(orderInput(i)));
    } finally {
      await sys.close();
    }
    const server = await startServerProcess({ databaseUrl: await benchDatabaseUrl() });
    const client = httpClient(server.url, CONCURRENCY);
    try {
      await runConcurrent(200, CONCURRENCY, (i) => client.post('/api/v1/orders', orderInput(i)));
      const http = await runConcurrent(n, CONCURRENCY, (i) =>
        client.post('/api/v1/orders', orderInput(i)),
      );
      ctx.log(
        `direct ${direct.opsPerSec}/s (p50 ${direct.p50Ms} ms), HTTP ${http.opsPerSec}/s (p50 ${http.p50Ms} ms)`,
      );
      ctx.figure({
        name: 'postgres: HTTP create / direct create',
        value: round(http.opsPerSec / direct.opsPerSec),
        unit: 'x',
        target: { op: '>=', value: 0.8 },
        detail: { http, direct },
      });
    } finally {
      client.close();
      await server.stop();
    }
  },
};

export const serverStage: Stage = {
  name: 'server',
  description: 'example server on Postgres, in-process jobs: create + pay, 8 clients',
  async run(ctx) {
    const n = scaled(1500);
    const server = await startServerProcess({ databaseUrl: await benchDatabaseUrl() });
    const client = httpClient(server.url, CONCURRENCY);
    const placeAndPay = async (i: number) => {
      const order = await client.post<{ id: string }>('/api/v1/orders', orderInput(i));
      await client.post('/api/v1/payments', {
        orderId: order.id,
        paymentMethod: { token: 'tok_visa' },
      });
    };
    try {
      await runConcurrent(200, CONCURRENCY, placeAndPay);
      const result = await runConcurrent(n, CONCURRENCY, placeAndPay);
      ctx.log(
        `create + pay: ${result.opsPerSec} orders/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
      );
      ctx.figure({
        name: 'postgres: server create + pay orders/s',
        value: result.opsPerSec,
        unit: 'orders/s',
        target: { op: '>=', value: 250 },
        detail: result as unknown as Record<string, unknown>,
      });
      ctx.figure({ name: 'postgres: server create + pay p99', value: result.p99Ms, unit: 'ms' });
    } finally {
      client.close();
      await server.stop();
    }
  },
};
