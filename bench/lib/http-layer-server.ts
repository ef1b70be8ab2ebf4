/**
 * The example app's HTTP layer alone: `createApp` as the example server builds it (helmet,
 * request id, request log at info to stdout, bearer key, JSON body parsing, input checks,
 * routing, the JSON answer), over an order system whose `orders.create` answers one order
 * made at start-up instead of calling storage. What it serves per second is the most the
 * example server could do on this machine if the library and the database cost nothing.
 *
 * Run like the server (`node --import tsx bench/lib/http-layer-server.ts`, with
 * `ORDERFLOW_API_KEY`, `PORT` and `HOST`); prints `listening on <url>`.
 */
import type { AddressInfo } from 'node:net';
import { createOrderSystem } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { memoryStorage } from 'orderflow/adapters/memory';
import { fakePaymentProvider } from 'orderflow/testing';
import { pino } from 'pino';
import { createApp } from '../../examples/express/app.js';

const quiet = pino({ level: 'silent' });
const oms = await createOrderSystem({
  storage: memoryStorage(),
  jobs: inProcessJobs({ logger: quiet }),
  payments: fakePaymentProvider(),
  logger: quiet,
});
const answer = await oms.orders.create({
  customerId: 'cus_1',
  currency: 'USD',
  items: [1, 2, 3].map((quantity) => ({
    sku: `SKU-${quantity}`,
    name: `Item ${quantity}`,
    quantity,
    unitPrice: 1000,
  })),
});
/** `target` with `overrides` in place of some members, its own methods bound to it. */
function withOverrides<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in overrides) return overrides[key as keyof T];
      const value = Reflect.get(t, key, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}
const system = withOverrides(oms, {
  orders: withOverrides(oms.orders, { create: async () => answer }),
});

const app = createApp(system, { apiKey: process.env.ORDERFLOW_API_KEY ?? '' });
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
