// Errors must come from one module instance across entry points: an error thrown by the
// memory adapter or the testing helpers is `instanceof` the root's OrderflowError.
import { createRequire } from 'node:module';
import { OrderflowError, ValidationError } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { memoryStorage } from 'orderflow/adapters/memory';

const storage = memoryStorage();
let caught;
try {
  await storage.orders.list({ limit: 1, cursor: 'not-a-cursor' });
} catch (error) {
  caught = error;
}
if (!(caught instanceof ValidationError) || !(caught instanceof OrderflowError)) {
  throw new Error(`adapter error is not the root's ValidationError: ${caught}`);
}
const jobs = inProcessJobs();
try {
  await jobs.enqueue('nope', {});
} catch (error) {
  caught = error;
}
if (!(caught instanceof OrderflowError))
  throw new Error('runner error is not the root OrderflowError');

const require = createRequire(import.meta.url);
const cjs = require('orderflow');
const cjsMemory = require('orderflow/adapters/memory');
try {
  await cjsMemory.memoryStorage().orders.list({ limit: 1, cursor: 'x' });
} catch (error) {
  caught = error;
}
if (!(caught instanceof cjs.OrderflowError))
  throw new Error('CJS adapter error is not the CJS root OrderflowError');
if (!cjs.isOrderflowError(new OrderflowError('not_found', 'y')))
  throw new Error('isOrderflowError fails across ESM/CJS copies');
console.log(
  'pack-check: errors are shared across entry points (ESM and CJS); isOrderflowError works across copies',
);
