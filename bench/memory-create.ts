import { inProcessJobs } from '../adapters/jobs/in-process/index.js';
import { memoryStorage } from '../adapters/storage/memory/index.js';
import { createOrderSystem, silentLogger } from '../src/index.js';

const oms = await createOrderSystem({
  storage: memoryStorage(),
  jobs: inProcessJobs({ logger: silentLogger }),
  logger: silentLogger,
});
const input = {
  customerId: 'c_1',
  currency: 'USD',
  items: [{ sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 }],
};
for (let i = 0; i < 2000; i++) await oms.orders.create(input);
const n = 20000;
const t = performance.now();
for (let i = 0; i < n; i++) await oms.orders.create(input);
const ms = performance.now() - t;
console.log(`memory create-order: ${Math.round(n / (ms / 1000))} ops/s`);
await oms.idle();
await oms.close();
