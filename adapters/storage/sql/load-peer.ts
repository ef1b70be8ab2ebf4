import { ConfigurationError } from '../../../src/errors.js';

/**
 * Loads an optional peer dependency, or fails with the command that installs it.
 * Drivers are optional peers: a SQLite user never installs `pg`. `kind` names the
 * adapter's port in the message ("The bullmq jobs adapter needs …").
 */
export async function loadPeer<T>(name: string, adapter: string, kind = 'storage'): Promise<T> {
  try {
    const mod = (await import(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigurationError(
        `The ${adapter} ${kind} adapter needs the \`${name}\` package: install it with \`npm install ${name}\``,
      );
    }
    throw error;
  }
}
