/**
 * Jobs: the BullMQ runner vs bare BullMQ running the same handler (same concurrency, job
 * options and Redis), and outbox-to-handler latency in-process: from the commit of an
 * order's transaction to its `order.created` notification handler.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type Backend, openStorage, orderInput } from '../lib/backends.js';
import { bullmqAdapter, inProcessAdapter, orderflow } from '../lib/library.js';
import { percentile, round, runConcurrent, scaled } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

const { bullmqJobs } = bullmqAdapter;
const { inProcessJobs } = inProcessAdapter;
const { createOrderSystem, silentLogger } = orderflow;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 8;

/** The handler both runners run: a little work, no I/O. */
function handler(done: () => void) {
  return async (payload: { n: number }) => {
    let x = 0;
    for (let i = 0; i < 200; i++) x += Math.sqrt(i + payload.n);
    if (x < 0) throw new Error('unreachable');
    done();
  };
}

/** Resolves after `total` calls of the returned function. */
function countdown(total: number) {
  let left = total;
  let resolve!: () => void;
  const finished = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    tick: () => {
      if (--left === 0) resolve();
    },
    finished,
  };
}

async function runnerThroughput(prefix: string, n: number): Promise<number> {
  const counter = countdown(n);
  const jobs = bullmqJobs({
    url: REDIS_URL,
    prefix,
    concurrency: CONCURRENCY,
    logger: silentLogger,
  });
  jobs.register('bench', handler(counter.tick));
  await jobs.start();
  const t = performance.now();
  await runConcurrent(n, CONCURRENCY, (i) => jobs.enqueue('bench', { n: i }));
  await counter.finished;
  const seconds = (performance.now() - t) / 1000;
  await jobs.stop();
  return n / seconds;
}

async function bareThroughput(prefix: string, n: number): Promise<number> {
  const counter = countdown(n);
  const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
  const queue = new Queue('bench', { connection, prefix });
  const run = handler(counter.tick);
  const worker = new Worker('bench', (job) => run(job.data), {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  await worker.waitUntilReady();
  const opts = {
    attempts: 3,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: true,
  };
  const t = performance.now();
  await runConcurrent(n, CONCURRENCY, (i) => queue.add('bench', { n: i }, opts));
  await counter.finished;
  const seconds = (performance.now() - t) / 1000;
  await worker.close();
  await queue.close();
  return n / seconds;
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Commit-to-handler latency of `order.created` notifications, orders placed one at a time. */
async function outboxLatency(backend: Backend, n: number) {
  const opened = await openStorage(backend);
  const committed = new Map<string, number>();
  const samples: number[] = [];
  const { storage } = opened;
  const transaction = storage.transaction.bind(storage);
  storage.transaction = async (fn) => {
    const value = await transaction(fn);
    const id = (value as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') committed.set(id, performance.now());
    return value;
  };
  const oms = await createOrderSystem({
    storage,
    jobs: inProcessJobs({ logger: silentLogger }),
    logger: silentLogger,
    notifier: {
      async notify(notification) {
        if (notification.name !== 'order.created') return;
        const at = committed.get((notification.payload as { id: string }).id);
        if (at !== undefined) samples.push(performance.now() - at);
      },
    },
  });
  try {
    for (let i = 0; i < n; i++) {
      await oms.orders.create(orderInput(i));
      await oms.idle();
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    await oms.close();
    await opened.close();
  }
  samples.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    samples: samples.length,
  };
}

export const jobsStage: Stage = {
  name: 'jobs',
  description: 'BullMQ runner vs bare BullMQ; outbox-to-handler latency in-process',
  async run(ctx) {
    const prefix = `orderflow-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
    const n = scaled(5000);
    try {
      await runnerThroughput(`${prefix}-warm-r`, 500);
      await bareThroughput(`${prefix}-warm-b`, 500);
      // Alternate the two twice and keep each one's best round: load from other processes
      // on the machine comes and goes.
      let runner = 0;
      let bare = 0;
      for (const round of [1, 2]) {
        runner = Math.max(runner, await runnerThroughput(`${prefix}-r${round}`, n));
        bare = Math.max(bare, await bareThroughput(`${prefix}-b${round}`, n));
      }
      ctx.log(`BullMQ runner ${round(runner, 0)} jobs/s, bare BullMQ ${round(bare, 0)} jobs/s`);
      ctx.figure({
        name: 'bullmq: runner / bare BullMQ jobs/s',
        value: round(runner / bare),
        unit: 'x',
        target: { op: '>=', value: 0.8 },
        detail: { runner: round(runner, 1), bare: round(bare, 1) },
      });
    } finally {
      for (const p of ['warm-r', 'warm-b', 'r1', 'b1', 'r2', 'b2'])
        await dropPrefix(`${prefix}-${p}`);
    }
    for (const backend of ['sqlite', 'postgres'] as Backend[]) {
      const latency = await outboxLatency(backend, scaled(400));
      ctx.log(
        `${backend}: outbox-to-handler p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (${latency.samples} events)`,
      );
      ctx.figure({
        name: `${backend}: outbox-to-handler p50`,
        value: latency.p50Ms,
        unit: 'ms',
        target: { op: '<=', value: 10 },
      });
      ctx.figure({
        name: `${backend}: outbox-to-handler p99`,
        value: latency.p99Ms,
        unit: 'ms',
        target: { op: '<=', value: 50 },
      });
    }
  },
};
