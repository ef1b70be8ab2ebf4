import { ConfigurationError } from '../../src/errors.js';
import type { EnqueueOptions, JobHandler } from '../../src/ports/job-runner.js';

/**
 * Argument checks every job runner makes the same way, so runners refuse the same bad
 * calls with the same errors. `runner` names the adapter in messages (`inProcessJobs`).
 */

/** Throws a `RangeError` unless `value` is an integer >= 1. */
export function assertPositiveInteger(runner: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${runner}: ${what} must be an integer >= 1, got ${value}`);
  }
}

export function assertJobName(name: string): void {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('A job name must be a non-empty string');
  }
}

export function assertRegistered(
  handlers: ReadonlyMap<string, JobHandler<unknown>>,
  name: string,
): void {
  if (!handlers.has(name)) {
    throw new ConfigurationError(
      `No handler is registered for job "${name}"; call register("${name}", handler) first`,
    );
  }
}

/** The delay and attempts of an enqueue call, checked, with the runner's default attempts. */
export function enqueueSettings(
  runner: string,
  name: string,
  options: EnqueueOptions,
  defaultAttempts: number,
): { delayMs: number; attempts: number } {
  const delayMs = options.delayMs ?? 0;
  if (Number.isNaN(delayMs)) throw new RangeError(`Job ${name}: delayMs must be a number`);
  const attempts = options.attempts ?? defaultAttempts;
  assertPositiveInteger(runner, `attempts of job ${name}`, attempts);
  return { delayMs, attempts };
}
