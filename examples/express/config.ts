import type { OrderflowConfig } from 'orderflow';

/** Settings of the example server, read from the environment by `configFromEnv`. */
export interface ServerConfig {
  /** `PORT`. @default 3000 */
  port: number;
  /** `HOST`; unset listens on every interface. */
  host?: string;
  /** `ORDERFLOW_API_KEY`; unset means the server generates one and prints it. */
  apiKey?: string;
  /** `DATABASE_URL`: `postgres://…` for Postgres; unset for the SQLite file. */
  storage: { kind: 'sqlite'; filename: string } | { kind: 'postgres'; connectionString: string };
  /** `REDIS_URL` switches to BullMQ (`ORDERFLOW_QUEUE_PREFIX`, default `orderflow`). */
  jobs: { kind: 'in-process' } | { kind: 'bullmq'; url: string; prefix: string };
  /** `LOG_LEVEL`. @default 'info' */
  logLevel: string;
  /**
   * `ORDERFLOW_SHUTDOWN_DELAY_MS`: on SIGTERM, how long to keep serving while
   * `/health/ready` answers 503 `draining`, before taking no new connections — time for a
   * load balancer to notice and stop sending traffic. @default 0
   */
  shutdownDelayMs?: number;
  /**
   * `ORDERFLOW_PAYMENT_WEBHOOK_SECRET` (`whsec_<base64>`): the secret the fake payment
   * provider signs its webhooks with, so deliveries to `POST /webhooks/payments` can be
   * signed outside the server (Standard Webhooks). Unset: a random one.
   */
  paymentWebhookSecret?: string;
  /**
   * Sweep and outbox timings, only those set: `ORDERFLOW_SWEEP_INTERVAL_MS`,
   * `ORDERFLOW_SWEEP_GRACE_MS`, `ORDERFLOW_OUTBOX_LEASE_MS`, `ORDERFLOW_IDEMPOTENCY_LEASE_MS`
   * (milliseconds). Unset ones keep
   * the library defaults (60000, 120000, 30000); tests shorten them to see recovery quickly.
   */
  orderflow?: Pick<
    OrderflowConfig,
    'sweepIntervalMs' | 'sweepGraceMs' | 'outboxLeaseMs' | 'idempotencyLeaseMs'
  >;
}

/** Where the SQLite database lives when `DATABASE_URL` is not set. */
export const DEFAULT_SQLITE_FILE = './data/orderflow.db';
export const DEFAULT_PORT = 3000;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Reads one variable; an empty value counts as unset. */
function read(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * The server's settings from environment variables — a pure function, so what each
 * variable does can be tested without starting anything. Throws an `Error` that names the
 * variable when a value cannot work.
 *
 * ```ts
 * configFromEnv({}); // SQLite at ./data/orderflow.db, in-process jobs, port 3000
 * configFromEnv({ DATABASE_URL: 'postgres://localhost/shop', REDIS_URL: 'redis://localhost' });
 * ```
 */
export function configFromEnv(env: Record<string, string | undefined>): ServerConfig {
  const portText = read(env, 'PORT');
  const port = portText === undefined ? DEFAULT_PORT : Number(portText);
  if (!/^\d+$/.test(portText ?? String(DEFAULT_PORT)) || port > 65_535) {
    throw new Error(`PORT must be a number between 0 and 65535, got "${portText}"`);
  }

  const databaseUrl = read(env, 'DATABASE_URL');
  let storage: ServerConfig['storage'];
  if (databaseUrl === undefined) {
    storage = { kind: 'sqlite', filename: DEFAULT_SQLITE_FILE };
  } else if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    storage = { kind: 'postgres', connectionString: databaseUrl };
  } else if (/^sqlite:/i.test(databaseUrl)) {
    const filename = databaseUrl.replace(/^sqlite:(\/\/)?/i, '');
    if (!filename) throw new Error('DATABASE_URL=sqlite:<file> needs a file name');
    storage = { kind: 'sqlite', filename };
  } else {
    throw new Error(
      'DATABASE_URL must start with postgres:// (or postgresql://), or sqlite:<file>; leave it unset for the default SQLite file',
    );
  }

  const redisUrl = read(env, 'REDIS_URL');
  let jobs: ServerConfig['jobs'] = { kind: 'in-process' };
  if (redisUrl !== undefined) {
    if (!/^rediss?:\/\//i.test(redisUrl)) {
      throw new Error('REDIS_URL must start with redis:// or rediss://');
    }
    jobs = {
      kind: 'bullmq',
      url: redisUrl,
      prefix: read(env, 'ORDERFLOW_QUEUE_PREFIX') ?? 'orderflow',
    };
  }

  const logLevel = read(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`);
  }

  const config: ServerConfig = { port, storage, jobs, logLevel };
  const timings: NonNullable<ServerConfig['orderflow']> = {};
  for (const [name, key, min] of [
    ['ORDERFLOW_SWEEP_INTERVAL_MS', 'sweepIntervalMs', 1],
    ['ORDERFLOW_SWEEP_GRACE_MS', 'sweepGraceMs', 0],
    ['ORDERFLOW_OUTBOX_LEASE_MS', 'outboxLeaseMs', 0],
    ['ORDERFLOW_IDEMPOTENCY_LEASE_MS', 'idempotencyLeaseMs', 1],
  ] as const) {
    const text = read(env, name);
    if (text === undefined) continue;
    if (!/^\d{1,10}$/.test(text) || Number(text) < min) {
      throw new Error(`${name} must be a whole number of milliseconds ≥ ${min}, got "${text}"`);
    }
    timings[key] = Number(text);
  }
  if (Object.keys(timings).length > 0) config.orderflow = timings;
  const delay = read(env, 'ORDERFLOW_SHUTDOWN_DELAY_MS');
  if (delay !== undefined) {
    if (!/^\d{1,7}$/.test(delay)) {
      throw new Error(
        `ORDERFLOW_SHUTDOWN_DELAY_MS must be a whole number of milliseconds, got "${delay}"`,
      );
    }
    config.shutdownDelayMs = Number(delay);
  }
  const webhookSecret = read(env, 'ORDERFLOW_PAYMENT_WEBHOOK_SECRET');
  if (webhookSecret !== undefined) {
    if (
      !/^whsec_(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(webhookSecret)
    ) {
      throw new Error('ORDERFLOW_PAYMENT_WEBHOOK_SECRET must be whsec_ followed by base64');
    }
    config.paymentWebhookSecret = webhookSecret;
  }
  const apiKey = read(env, 'ORDERFLOW_API_KEY');
  if (apiKey !== undefined) config.apiKey = apiKey;
  const host = read(env, 'HOST');
  if (host !== undefined) config.host = host;
  return config;
}

/** A description of the config for the start banner; never includes secrets. */
export function describeBackends(config: ServerConfig): string {
  const storage =
    config.storage.kind === 'sqlite'
      ? `SQLite (${config.storage.filename})`
      : `Postgres (${redactUrl(config.storage.connectionString)})`;
  const jobs =
    config.jobs.kind === 'in-process'
      ? 'in-process jobs'
      : `BullMQ jobs (${redactUrl(config.jobs.url)}, prefix ${config.jobs.prefix})`;
  return `${storage} + ${jobs}`;
}

/** A URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
