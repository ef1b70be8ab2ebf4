/**
 * `npm start`: the example REST API on SQLite (./data/orderflow.db) and in-process jobs,
 * with no other set-up. `DATABASE_URL=postgres://…` switches to Postgres, `REDIS_URL` to
 * BullMQ, `PORT` picks the port (3000), `ORDERFLOW_API_KEY` the API key (else one is
 * generated and printed). SIGTERM / SIGINT stop it gracefully.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { configFromEnv, describeBackends } from './config.js';
import { type RunningServer, startServer } from './start.js';

function fail(message: string, error?: unknown): never {
  console.error(`orderflow example server: ${message}`);
  if (error !== undefined) console.error(error);
  process.exit(1);
}

let config: ReturnType<typeof configFromEnv>;
try {
  config = configFromEnv(process.env);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const generated = config.apiKey === undefined;
const apiKey = config.apiKey ?? `ofk_${randomBytes(24).toString('base64url')}`;
const logger = pino({ level: config.logLevel });

let running: RunningServer;
try {
  running = await startServer({ ...config, apiKey }, logger);
} catch (error) {
  fail('could not start', error);
}

const { url } = running;
console.log(
  [
    '',
    `orderflow example server listening on ${url}  (${describeBackends(config)})`,
    generated
      ? `  API key (generated for this run; set ORDERFLOW_API_KEY to choose one): ${apiKey}`
      : '  API key: the value of ORDERFLOW_API_KEY',
    '  Payments: FAKE provider from orderflow/testing, no real money moves (tok_visa succeeds, tok_chargeDeclined is declined, tok_transient fails twice then succeeds)',
    '  Carrier: FAKE carrier from orderflow/testing (books every return pickup for the next day)',
    `  Try: curl -H "Authorization: Bearer ${generated ? apiKey : '$ORDERFLOW_API_KEY'}" ${url}/api/v1/orders`,
    `  Health: ${url}/health`,
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    console.log(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(`${signal} received: finishing requests and jobs, then exiting`);
  try {
    await running.close();
    console.log('orderflow example server stopped');
    process.exit(0);
  } catch (error) {
    fail('shutdown failed', error);
  }
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
