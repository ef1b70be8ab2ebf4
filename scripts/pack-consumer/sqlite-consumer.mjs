// The SQLite path as a user gets it: better-sqlite3 installed, `pg` not.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrderSystem, isOrderflowError, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { fakePaymentProvider } from 'orderflow/testing';

const dir = mkdtempSync(join(tmpdir(), 'orderflow-pack-'));
const filename = join(dir, 'orders.db');
const open = () =>
  createOrderSystem({
    storage: sqliteStorage({ filename }),
    jobs: inProcessJobs({ logger: silentLogger }),
    payments: fakePaymentProvider(),
    logger: silentLogger,
  });
try {
  let oms = await open();
  const order = await oms.orders.create({
    customerId: 'c_1',
    currency: 'USD',
    items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 1000 }],
  });
  await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
  await oms.idle();
  await oms.close();
  oms = await open();
  const reopened = await oms.orders.get(order.id);
  await oms.close();
  if (reopened.state !== 'confirmed' || reopened.paidTotal !== 1000) {
    throw new Error(`sqlite: expected a confirmed, paid order after reopen, got ${reopened.state}`);
  }
  console.log(`pack-check: sqlite: order ${order.id} paid, confirmed and still there after reopen`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const require = createRequire(import.meta.url);
let pgInstalled = true;
try {
  require.resolve('pg');
} catch {
  pgInstalled = false;
}
if (pgInstalled) throw new Error('pg should not be installed in this project');
let caught;
try {
  await postgresStorage({ connectionString: 'postgres://localhost/none' }).migrate();
} catch (error) {
  caught = error;
}
if (!isOrderflowError(caught) || !caught.message.includes('npm install pg')) {
  throw new Error(`missing pg should say how to install it, got: ${caught}`);
}
console.log(`pack-check: without pg, the postgres adapter says: ${caught.message}`);
