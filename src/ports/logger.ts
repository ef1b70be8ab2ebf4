/** A minimal structured logger; pino, console and most loggers fit it. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Logs warnings and errors to the console and drops the rest. */
export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => console.warn(`[orderflow] ${msg ?? ''}`, obj),
  error: (obj, msg) => console.error(`[orderflow] ${msg ?? ''}`, obj),
};

/** Discards everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
