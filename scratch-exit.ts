import { spawn } from 'node:child_process';
import { bullmqJobs } from './adapters/jobs/bullmq/index.js';

const port = 6393;
const server = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: 'ignore' },
);
server.unref();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await sleep(300);
const t0 = Date.now();
const log = (...a: unknown[]) => console.log(Date.now() - t0, ...a);
const jobs = bullmqJobs({ url: `redis://127.0.0.1:${port}`, prefix: 'x' + Date.now() });
jobs.register('count', async () => {
  log('handler start');
  await sleep(300);
  log('handler done');
});
await jobs.start();
log('started');
await jobs.enqueue('count', {});
log('enqueued');
await sleep(100);
await jobs.stop();
log('stopped');
server.kill('SIGKILL');
