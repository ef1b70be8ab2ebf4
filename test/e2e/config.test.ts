import { describe, expect, it } from 'vitest';
import { configFromEnv, describeBackends, redactUrl } from '../../examples/express/config.js';

describe('configFromEnv', () => {
  it('picks the SQLite file, in-process jobs and port 3000 when nothing is set', () => {
    expect(configFromEnv({})).toEqual({
      port: 3000,
      storage: { kind: 'sqlite', filename: './data/orderflow.db' },
      jobs: { kind: 'in-process' },
      logLevel: 'info',
    });
  });

  it('treats empty variables as unset', () => {
    expect(
      configFromEnv({ PORT: '', DATABASE_URL: ' ', REDIS_URL: '', ORDERFLOW_API_KEY: '' }),
    ).toEqual(configFromEnv({}));
  });

  it('switches to Postgres on DATABASE_URL=postgres://… and to BullMQ on REDIS_URL', () => {
    const config = configFromEnv({
      DATABASE_URL: 'postgres://app:secret@db:5432/shop',
      REDIS_URL: 'redis://cache:6379',
      ORDERFLOW_QUEUE_PREFIX: 'shop',
      PORT: '8080',
      HOST: '127.0.0.1',
      ORDERFLOW_API_KEY: 'k_123',
      LOG_LEVEL: 'warn',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      apiKey: 'k_123',
      storage: { kind: 'postgres', connectionString: 'postgres://app:secret@db:5432/shop' },
      jobs: { kind: 'bullmq', url: 'redis://cache:6379', prefix: 'shop' },
      logLevel: 'warn',
    });
    expect(configFromEnv({ DATABASE_URL: 'postgresql://db/shop' }).storage.kind).toBe('postgres');
    expect(configFromEnv({ REDIS_URL: 'rediss://cache' }).jobs).toEqual({
      kind: 'bullmq',
      url: 'rediss://cache',
      prefix: 'orderflow',
    });
  });

  it('takes another SQLite file as DATABASE_URL=sqlite:<file>', () => {
    expect(configFromEnv({ DATABASE_URL: 'sqlite:/tmp/shop.db' }).storage).toEqual({
      kind: 'sqlite',
      filename: '/tmp/shop.db',
    });
  });

  it('reads the shutdown delay, during which the server reports draining', () => {
    expect(configFromEnv({}).shutdownDelayMs).toBeUndefined();
    expect(configFromEnv({ ORDERFLOW_SHUTDOWN_DELAY_MS: '5000' }).shutdownDelayMs).toBe(5000);
    expect(() => configFromEnv({ ORDERFLOW_SHUTDOWN_DELAY_MS: '5s' })).toThrow(
      /ORDERFLOW_SHUTDOWN_DELAY_MS/,
    );
  });

  it('refuses values that cannot work, naming the variable', () => {
    expect(() => configFromEnv({ PORT: 'http' })).toThrow(/PORT/);
    expect(() => configFromEnv({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => configFromEnv({ PORT: '-1' })).toThrow(/PORT/);
    expect(() => configFromEnv({ DATABASE_URL: 'mysql://db/shop' })).toThrow(/DATABASE_URL/);
    expect(() => configFromEnv({ REDIS_URL: 'cache:6379' })).toThrow(/REDIS_URL/);
    expect(() => configFromEnv({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });

  it('never shows a password in the start banner', () => {
    const config = configFromEnv({
      DATABASE_URL: 'postgres://app:secret@db/shop',
      REDIS_URL: 'redis://:hunter2@cache:6379',
    });
    const banner = describeBackends(config);
    expect(banner).not.toMatch(/secret|hunter2/);
    expect(banner).toMatch(/Postgres .* BullMQ/);
    expect(redactUrl('not a url')).toBe('(unparsable URL)');
  });
});
