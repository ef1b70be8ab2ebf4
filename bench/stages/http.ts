/**
 * The example server on Postgres with in-process jobs: create-order over HTTP vs calling
 * the manager directly with the same concurrency (in alternating rounds), the CPU each side
 * spends per create, and the example app's HTTP layer alone (no storage behind it); and
 * create + pay through the server with 8 clients (orders/s and latency).
 */
import { benchDatabaseUrl, openSystem, orderInput } from '../lib/backends.js';
import { alternate, round, runConcurrent, scaled } from '../lib/measure.js';
import type { Stage, StageContext } from '../lib/report.js';
import { cpuMeter, httpClient, startServerProcess } from '../lib/server.js';

const CONCURRENCY = 8;

/**
 * Calls before measuring, on each side. After a few hundred, a second run right after the
 * first was a quarter to a third faster on both sides (the JIT was not done).
 */
const WARM_UP = 1000;

export const httpStage: Stage = {
  name: 'http',
  description: 'Postgres: HTTP create-order vs the manager called directly, 8 callers',
  async run(ctx) {
    const n = scaled(2000);
    const warmUp = scaled(WARM_UP);
    const sys = await openSystem('postgres');
    const server = await startServerProcess({ databaseUrl: await benchDatabaseUrl() });
    const client = httpClient(server.url, CONCURRENCY);
    const createDirect = (i: number) => sys.oms.orders.create(orderInput(i));
    const createOverHttp = (i: number) => client.post('/api/v1/orders', orderInput(i));
    try {
      await runConcurrent(warmUp, CONCURRENCY, createDirect);
      await runConcurrent(warmUp, CONCURRENCY, createOverHttp);
      // The server idles through the direct rounds: its CPU over the whole run is the HTTP one's.
      const serverCpu = cpuMeter(server.child.pid!);
      const { a: direct, b: http } = await alternate(n, CONCURRENCY, createDirect, createOverHttp, {
        between: () => sys.oms.idle(),
      });
      const serverCpuMsPerOp = serverCpu.msPerOp(http.ops);
      ctx.log(
        `direct ${direct.opsPerSec}/s (p50 ${direct.p50Ms} ms, ${direct.cpuMsPerOp} ms CPU per create), ` +
          `HTTP ${http.opsPerSec}/s (p50 ${http.p50Ms} ms, server ${serverCpuMsPerOp ?? '?'} ms CPU per request)`,
      );
      ctx.figure({
        name: 'postgres: HTTP create / direct create',
        value: round(http.opsPerSec / direct.opsPerSec),
        unit: 'x',
        target: { op: '>=', value: 0.8 },
        detail: { http, direct, serverCpuMsPerOp },
      });
      if (serverCpuMsPerOp !== undefined) {
        ctx.figure({
          name: 'postgres: CPU per create, server (HTTP) / caller (direct)',
          value: round(serverCpuMsPerOp / direct.cpuMsPerOp!),
          unit: 'x',
        });
      }
    } finally {
      client.close();
      await server.stop();
      await sys.close();
    }
    await httpLayerAlone(ctx, n, warmUp);
  },
};

/** The example app with `orders.create` answering at once (see `http-layer-server.ts`). */
async function httpLayerAlone(ctx: StageContext, n: number, warmUp: number) {
  const server = await startServerProcess({
    databaseUrl: '',
    nodeArgs: ['--import', 'tsx'],
    entry: 'bench/lib/http-layer-server.ts',
  });
  const client = httpClient(server.url, CONCURRENCY);
  const create = (i: number) => client.post('/api/v1/orders', orderInput(i));
  try {
    await runConcurrent(warmUp, CONCURRENCY, create);
    const serverCpu = cpuMeter(server.child.pid!);
    const result = await runConcurrent(n, CONCURRENCY, create);
    const cpuMsPerOp = serverCpu.msPerOp(n);
    ctx.log(
      `example app without storage: ${result.opsPerSec} requests/s (server ${cpuMsPerOp ?? '?'} ms CPU per request)`,
    );
    ctx.figure({
      name: 'example app without storage: create requests/s',
      value: result.opsPerSec,
      unit: 'req/s',
      detail: { ...result, serverCpuMsPerOp: cpuMsPerOp },
    });
  } finally {
    client.close();
    await server.stop();
  }
}

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
      await runConcurrent(scaled(WARM_UP), CONCURRENCY, placeAndPay);
      const serverCpu = cpuMeter(server.child.pid!);
      const result = await runConcurrent(n, CONCURRENCY, placeAndPay);
      const serverCpuMsPerOrder = serverCpu.msPerOp(n);
      ctx.log(
        `create + pay: ${result.opsPerSec} orders/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `server ${serverCpuMsPerOrder ?? '?'} ms CPU per order`,
      );
      ctx.figure({
        name: 'postgres: server create + pay orders/s',
        value: result.opsPerSec,
        unit: 'orders/s',
        target: { op: '>=', value: 250 },
        detail: { ...result, serverCpuMsPerOrder },
      });
      ctx.figure({ name: 'postgres: server create + pay p99', value: result.p99Ms, unit: 'ms' });
    } finally {
      client.close();
      await server.stop();
    }
  },
};
