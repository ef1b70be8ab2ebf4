import {
  type CreateOrderInput,
  createOrderInput,
  createOrderSystem,
  httpStatusFor,
  isOrderflowError,
  type Order,
  OrderflowError,
  type OrderflowErrorCode,
  type OrderflowEventMap,
} from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { memoryStorage } from 'orderflow/adapters/memory';
import { type PostgresStorageOptions, postgresStorage } from 'orderflow/adapters/postgres';
import { type SqliteStorageOptions, sqliteStorage } from 'orderflow/adapters/sqlite';
import { fakePaymentProvider, storageConformanceSuite } from 'orderflow/testing';
import type { z } from 'zod';

const input: CreateOrderInput = {
  customerId: 'c_1',
  currency: 'USD',
  items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 100 }],
};
type Parsed = z.infer<typeof createOrderInput>;
const parsed: Parsed = createOrderInput.parse(input);

export async function main(): Promise<Order> {
  const oms = await createOrderSystem({
    storage: memoryStorage(),
    jobs: inProcessJobs(),
    payments: fakePaymentProvider(),
  });
  oms.events.on('order.state_changed', (e: OrderflowEventMap['order.state_changed']) => {
    const to: Order['state'] = e.to;
    void to;
  });
  try {
    return await oms.orders.create(parsed);
  } catch (error) {
    if (isOrderflowError(error)) {
      const code: OrderflowErrorCode = error.code;
      const status: number = httpStatusFor(code);
      throw new OrderflowError(code, `${status}: ${error.message}`);
    }
    throw error;
  }
}
void storageConformanceSuite;

const pgOptions: PostgresStorageOptions = {
  connectionString: 'postgres://localhost/db',
  schema: 'shop',
};
const sqliteOptions: SqliteStorageOptions = { filename: 'orders.db', busyTimeoutMs: 1000 };
export const adapters = [postgresStorage(pgOptions), sqliteStorage(sqliteOptions)] as const;
