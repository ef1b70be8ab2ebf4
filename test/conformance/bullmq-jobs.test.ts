import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type * as Bullmq from 'bullmq';
import { Redis } from 'ioredis';
import { type Logger, silentLogger } from 'orderflow';
import { type BullmqJobsOptions, bullmqJobs } from 'orderflow/adapters/bullmq';
import { jobRunnerConformanceSuite } from 'orderflow/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { BULLMQ_PEER } from '../../adapters/jobs/bullmq/connections.js';
import type {
  BullmqModule,
  IoredisModule,
  RedisClient,
} from '../../adapters/jobs/bullmq/driver-types.js';
import { loadPeer } from '../../adapters/storage/sql/load-peer.js';
import { deleteTestKeys, REDIS_URL, redisEnabled, uniquePrefix } from '../support/redis.js';

// The real drivers fit the adapter's structural types (checked by `tsc`, not at run time).
export const driversFit = (bullmq: typeof Bullmq, redis: Redis) => {
  const module: BullmqModule = bullmq;
  const Ioredis: IoredisModule = Redis;
  const client: RedisClient = redis;
  return { module, Ioredis, client };
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A runner on a fresh prefix (so no other test sees its jobs), stopped when the test ends. */
function runner(options: Partial<BullmqJobsOptions> = {}) {
  const prefix = options.prefix ?? uniquePrefix();
  const jobs = bullmqJobs({
    url: REDIS_URL,
    logger: silentLogger,
    backoff: { delayMs: 10 },
    ...options,
    prefix,
  } as BullmqJobsOptions);
  onTestFinished(() => jobs.stop());
  return jobs;
}

function spyLogger() {
  type LogFn = Logger['error'];
  return {
    debug: vi.fn<LogFn>(),
    info: vi.fn<LogFn>(),
    warn: vi.fn<LogFn>(),
    error: vi.fn<LogFn>(),
  } satisfies Logger;
}

if (await redisEnabled()) {
  afterAll(() => deleteTestKeys());

  jobRunnerConformanceSuite(
    'bullmq',
    async () => {
      const prefix = uniquePrefix();
      return {
        runner: bullmqJobs({
          url: REDIS_URL,
          prefix,
          logger: silentLogger,
          backoff: { delayMs: 10 },
        }),
        cleanup: () => deleteTestKeys(prefix),
      };
    },
    {
      test: { describe, it, beforeEach, afterEach },
      supportsManualClock: false,
      realDelayMs: 200,
      realEveryMs: 50,
    },
  );

  describe('bullmqJobs', () => {
    it('is named bullmq', () => {
      expect(runner().name).toBe('bullmq');
    });

    it('lets a producer that never starts enqueue jobs that a started runner on the same queue runs', async () => {
      const prefix = uniquePrefix();
      const ran: string[] = [];
      const producer = runner({ prefix });
      producer.register('email', async (p: { to: string }) => {
        ran.push(`producer ${p.to}`);
      });
      const worker = runner({ prefix });
      worker.register('email', async (p: { to: string }) => {
        ran.push(`worker ${p.to}`);
      });
      await producer.enqueue('email', { to: 'ada' });
      await sleep(50);
      expect(ran).toEqual([]);

      await worker.start();
      await producer.idle(); // the producer sees the shared queue drained by the worker
      expect(ran).toEqual(['worker ada']);
    });

    it('keeps job ids with ":" apart from look-alikes and hands handlers the original id', async () => {
      const jobs = runner();
      const ids: string[] = [];
      jobs.register('notify', async (_p, context) => {
        ids.push(context.id);
      });
      for (const id of ['notify:evt_1', 'notify%3Aevt_1', 'notify-evt_1', '42', 'notify:evt_1']) {
        await jobs.enqueue('notify', {}, { jobId: id });
      }
      await jobs.start();
      await jobs.idle();

      expect(ids.sort()).toEqual(['42', 'notify%3Aevt_1', 'notify-evt_1', 'notify:evt_1']);
    });

    it('tells handlers how many attempts a job has and logs a job given up with its name, id and attempt', async () => {
      const logger = spyLogger();
      const jobs = runner({ logger, attempts: 2 });
      const attempts: Array<[number, number]> = [];
      jobs.register('doomed', async (_p, context) => {
        attempts.push([context.attempt, context.attempts]);
        throw new Error('card declined');
      });
      await jobs.start();
      await jobs.enqueue('doomed', {}, { jobId: 'doomed:1' });
      await vi.waitFor(() => expect(logger.error).toHaveBeenCalledTimes(1));

      expect(attempts).toEqual([
        [1, 2],
        [2, 2],
      ]);
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.error.mock.calls[0]![0]).toMatchObject({
        name: 'doomed',
        id: 'doomed:1',
        attempt: 2,
        attempts: 2,
        error: 'card declined',
      });
    });

    it('uses a ready ioredis instance without closing it', async () => {
      const connection = new Redis(REDIS_URL);
      onTestFinished(() => connection.disconnect());
      const jobs = runner({ url: undefined, connection });
      const seen: number[] = [];
      jobs.register('count', async (p: { n: number }) => {
        seen.push(p.n);
      });
      await jobs.start();
      await jobs.enqueue('count', { n: 1 });
      await jobs.idle();
      await jobs.stop();

      expect(seen).toEqual([1]);
      expect(await connection.ping()).toBe('PONG');
    });

    it('rejects enqueue after stop', async () => {
      const jobs = runner();
      jobs.register('late', async () => {});
      await jobs.start();
      await jobs.stop();
      await expect(jobs.enqueue('late', {})).rejects.toMatchObject({ code: 'job_runner_stopped' });
    });

    it('asks for both of url and connection to be exactly one', () => {
      expect(() => bullmqJobs({})).toThrow(/exactly one of `url` or `connection`/);
      expect(() => bullmqJobs({ url: REDIS_URL, queueName: 'a:b' })).toThrow(/queueName/);
    });

    it('names the install command when a peer is missing', async () => {
      await expect(
        loadPeer('orderflow-missing-peer', 'bullmq', {
          kind: 'jobs',
          install: 'orderflow-missing-peer ioredis',
        }),
      ).rejects.toThrow(
        'The bullmq jobs adapter needs the `orderflow-missing-peer` package: install it with `npm install orderflow-missing-peer ioredis`',
      );
      expect(BULLMQ_PEER).toEqual({ kind: 'jobs', install: 'bullmq ioredis' });
    });

    // These two start (and kill) their own redis-server. Locally a machine without the
    // binary skips them; CI must run them, so there a missing binary is a failure.
    const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
    if (!hasRedisServer && process.env.CI === 'true') {
      it('finds redis-server on PATH (CI runs the Redis outage tests)', () => {
        expect.fail('redis-server is not installed; scripts/ensure-services.sh installs it');
      });
    }
    it.skipIf(!hasRedisServer)(
      'survives losing its Redis server: reports it once, fails fast meanwhile, recovers with its schedules',
      async () => {
        const port = await freePort();
        let server = await startRedisServer(port);
        onTestFinished(() => {
          server.kill('SIGKILL');
        });
        const logger = spyLogger();
        const jobs = runner({ url: `redis://127.0.0.1:${port}`, logger });
        const seen: number[] = [];
        let ticks = 0;
        jobs.register('count', async (p: { n: number }) => {
          seen.push(p.n);
        });
        jobs.register('tick', async () => {
          ticks++;
        });
        await jobs.start();
        await jobs.schedule('tick', 100, {});
        await jobs.enqueue('count', { n: 1 });
        await vi.waitFor(() => expect(ticks).toBeGreaterThan(0), { timeout: 5_000 });

        server.kill('SIGKILL');
        await sleep(1_000); // ioredis keeps retrying (and emitting errors) meanwhile
        const asked = performance.now();
        await expect(jobs.enqueue('count', { n: 99 })).rejects.toMatchObject({
          code: 'job_runner_unavailable',
        });
        await expect(jobs.ping()).rejects.toMatchObject({ code: 'job_runner_unavailable' });
        expect(performance.now() - asked).toBeLessThan(1_000); // no stalling the caller
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(logger.warn.mock.calls[0]![1]).toMatch(/lost its Redis connection/);
        expect(logger.error).not.toHaveBeenCalled();

        server = await startRedisServer(port); // a new, empty Redis: the schedule is gone
        await vi.waitFor(() => jobs.ping(), { timeout: 10_000, interval: 100 });
        const ticksAfterRestart = ticks;
        await jobs.enqueue('count', { n: 2 });
        await vi.waitFor(() => expect(seen).toEqual([1, 2]), { timeout: 10_000, interval: 50 });
        await vi.waitFor(() => expect(ticks).toBeGreaterThan(ticksAfterRestart + 1), {
          timeout: 5_000,
        });
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(logger.info).toHaveBeenCalledWith({}, expect.stringMatching(/reconnected/));
      },
    );

    it.skipIf(!hasRedisServer)('stops while its Redis server is down', async () => {
      const port = await freePort();
      const server = await startRedisServer(port);
      onTestFinished(() => {
        server.kill('SIGKILL');
      });
      const jobs = runner({ url: `redis://127.0.0.1:${port}` });
      jobs.register('count', async () => {});
      await jobs.start();
      await jobs.enqueue('count', {});
      await jobs.idle();
      server.kill('SIGKILL');
      await sleep(200);

      await jobs.stop();
      await expect(jobs.ping()).rejects.toMatchObject({ code: 'job_runner_stopped' });
    });
  });
} else {
  it.skipIf(true)(`bullmq job runner conformance (Redis unreachable at ${REDIS_URL})`, () => {});
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A private, throwaway redis-server on `port` (no persistence), answering PING. */
async function startRedisServer(port: number): Promise<ChildProcess> {
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50 });
  client.on('error', () => {});
  try {
    await vi.waitFor(() => client.ping(), { timeout: 5_000, interval: 50 });
  } finally {
    client.disconnect();
  }
  return server;
}
