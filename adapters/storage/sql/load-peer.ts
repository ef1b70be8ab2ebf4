import { ConfigurationError } from '../../../src/errors.js';

/**
 * Loads an optional peer dependency, or fails with the command that installs it.
 * Drivers are optional peers: a SQLite user never installs `pg`.
 */
export async function loadPeer<T>(name: string, adapter: string): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigurationError(
        `The ${adapter} storage adapter needs the \`${name}\` package: install it with \`npm install ${name}\``,
      );
    }
    throw error;
  }
}
