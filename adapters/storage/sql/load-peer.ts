import { ConfigurationError } from '../../../src/errors.js';

/** What `loadPeer` says about the package it loads. */
export interface PeerOptions {
  /** The adapter's port in the message ("The bullmq jobs adapter needs …"). @default 'storage' */
  kind?: string;
  /**
   * What to install, when that is more than the package itself: `bullmq ioredis` (BullMQ
   * needs its Redis client too), `better-sqlite3@12` (13 needs Node 22; 12 is the peer range).
   * @default the package name
   */
  install?: string;
}

/**
 * Loads an optional peer dependency, or fails with the command that installs it.
 * Drivers are optional peers: a SQLite user never installs `pg`.
 */
export async function loadPeer<T>(
  name: string,
  adapter: string,
  options: PeerOptions = {},
): Promise<T> {
  const { kind = 'storage', install = name } = options;
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigurationError(
        `The ${adapter} ${kind} adapter needs the \`${name}\` package: install it with \`npm install ${install}\``,
      );
    }
    throw error;
  }
}
