/**
 * A worker process for the multi-process and fault tests: Postgres storage, BullMQ jobs and
 * the shared ledger provider, configured from the environment. Prints `ready` once started
 * and exits cleanly on SIGTERM. With ORDERFLOW_KILL_ON_ENQUEUE=<job name> it kills itself
 * (SIGKILL) on the first enqueue of that job: a crash between commit and dispatch.
 */

import { bullmqJobs } from '../../adapters/jobs/bullmq/index.js';
import { postgresStorage } from '../../adapters/storage/postgres/index.js';
import { createOrderSystem, type JobRunner, silentLogger } from '../../src/index.js';
import { ledgerProvider } from '../support/ledger-provider.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is required`);
  return value;
};

const connectionString = env('ORDERFLOW_PG_URL');
const schema = env('ORDERFLOW_PG_SCHEMA');
const provider = ledgerProvider({
  connectionString,
  schema,
  latencyMs: Number(process.env.ORDERFLOW_PROVIDER_LATENCY_MS ?? 0),
});
const bullmq = bullmqJobs({
  url: env('ORDERFLOW_REDIS_URL'),
  prefix: env('ORDERFLOW_BULLMQ_PREFIX'),
  concurrency: 8,
  backoff: { delayMs: 100 },
  attempts: 20,
  logger: silentLogger,
  ...(process.env.ORDERFLOW_LOCK_MS
    ? { lockDurationMs: Number(process.env.ORDERFLOW_LOCK_MS) }
    : {}),
});
const killOn = process.env.ORDERFLOW_KILL_ON_ENQUEUE;
const jobs: JobRunner = killOn
  ? {
      name: bullmq.name,
      register: (name, handler) => bullmq.register(name, handler),
      enqueue: (name, payload, options) => {
        if (name === killOn) process.kill(process.pid, 'SIGKILL');
        return bullmq.enqueue(name, payload, options);
      },
      schedule: (name, everyMs, payload) => bullmq.schedule(name, everyMs, payload),
      start: () => bullmq.start(),
      stop: () => bullmq.stop(),
      idle: () => bullmq.idle(),
      ping: () => bullmq.ping(),
    }
  : bullmq;

const oms = await createOrderSystem({
  storage: postgresStorage({ connectionString, schema }),
  jobs,
  payments: provider,
  logger: silentLogger,
  startJobs: process.env.ORDERFLOW_START_JOBS !== 'false',
  config: {
    sweepIntervalMs: 500,
    sweepGraceMs: 1000,
    outboxLeaseMs: 2000,
    unpaidOrderTtlMinutes: 600,
  },
});

process.on('SIGTERM', () => {
  void (async () => {
    await oms.close();
    await provider.close();
    process.exit(0);
  })();
});

// Commands sent by the parent as JSON lines: { "id", "op": "createAndPay" } → reply line.
process.stdin.setEncoding('utf8');
let buffered = '';
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    void handle(JSON.parse(line) as { id: number; op: string });
  }
});

async function handle(command: { id: number; op: string }) {
  try {
    if (command.op !== 'createAndPay') throw new Error(`unknown op ${command.op}`);
    const order = await oms.orders.create({
      customerId: 'c_crash',
      currency: 'USD',
      items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 1000 }],
    });
    process.stdout.write(`${JSON.stringify({ id: command.id, orderId: order.id })}\n`);
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    process.stdout.write(`${JSON.stringify({ id: command.id, paid: order.id })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ id: command.id, error: String(error) })}\n`);
  }
}

process.stdout.write('ready\n');
