import { ConfigurationError } from '../../../src/errors.js';
import type { JobContext, JobHandler } from '../../../src/ports/job-runner.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { BullJob } from './driver-types.js';
import { fromBullmqJobId } from './job-ids.js';

export interface ProcessJobDeps {
  handlers: ReadonlyMap<string, JobHandler<unknown>>;
  logger: Logger;
}

/**
 * The worker's processor: routes a BullMQ job to the handler registered for its name,
 * with the orderflow `JobContext`. A failed run is logged (`warn` when BullMQ will retry
 * it, `error` when this was its last attempt) and rethrown so BullMQ retries or fails it.
 */
export async function processJob(job: BullJob, deps: ProcessJobDeps): Promise<void> {
  const context: JobContext = {
    id: fromBullmqJobId(job.id ?? ''),
    name: job.name,
    attempt: job.attemptsMade + 1,
    attempts: job.opts.attempts ?? 1,
  };
  try {
    const handler = deps.handlers.get(job.name);
    if (!handler) {
      throw new ConfigurationError(
        `No handler is registered for job "${job.name}" in this process; call register("${job.name}", handler) before start()`,
      );
    }
    await handler(job.data, context);
  } catch (error) {
    const fields = {
      name: context.name,
      id: context.id,
      attempt: context.attempt,
      attempts: context.attempts,
      error: error instanceof Error ? error.message : String(error),
      err: error,
    };
    if (context.attempt >= context.attempts) {
      deps.logger.error(
        fields,
        `job ${context.name} failed after ${context.attempt} attempt(s); giving up`,
      );
    } else {
      deps.logger.warn(
        fields,
        `job ${context.name} failed on attempt ${context.attempt}; retrying`,
      );
    }
    // BullMQ records `error.message` and stack: give it an Error whatever was thrown.
    throw error instanceof Error ? error : new Error(String(error));
  }
}
