import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderSystem } from 'orderflow';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { openSystem } from './system.js';

/** How long `close()` lets in-flight requests finish before cutting their connections. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface RunningServer {
  server: Server;
  oms: OrderSystem;
  /** e.g. `http://localhost:3000` */
  url: string;
  /** True from the moment `close()` is called: `/health/ready` then answers 503 `draining`. */
  readonly draining: boolean;
  /**
   * Graceful stop: `/health/ready` answers 503 at once; after `shutdownDelayMs` (default 0)
   * takes no new connections, lets in-flight requests finish (cut after 10 s), then closes
   * the order system (running jobs finish, storage closes).
   */
  close(): Promise<void>;
}

/** Opens the order system the config names and serves the example API on it. */
export async function startServer(
  config: ServerConfig & { apiKey: string },
  logger: Logger,
): Promise<RunningServer> {
  const oms = await openSystem(config, logger.child({ component: 'orderflow' }));
  let draining = false;
  const app = createApp(oms, { apiKey: config.apiKey, logger, draining: () => draining });
  const server =
    config.host === undefined ? app.listen(config.port) : app.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await oms.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host =
    config.host && config.host !== '::' && config.host !== '0.0.0.0' ? config.host : 'localhost';

  let closing: Promise<void> | undefined;
  const close = () => {
    draining = true;
    closing ??= (async () => {
      if (config.shutdownDelayMs) await sleep(config.shutdownDelayMs);
      const stopped = new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
      cut.unref();
      try {
        await stopped;
      } finally {
        clearTimeout(cut);
        await oms.close();
      }
    })();
    return closing;
  };
  return {
    server,
    oms,
    url: `http://${host}:${port}`,
    get draining() {
      return draining;
    },
    close,
  };
}
