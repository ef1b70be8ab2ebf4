import { isoNow } from '../../ports/clock.js';
import type { JobContext } from '../../ports/job-runner.js';
import type { Notification } from '../../ports/notifier.js';
import type { JobPayloads } from '../definitions.js';
import type { JobDeps } from '../job-deps.js';

/**
 * Hands every event to the notifier. A throwing notifier gets the job retried (the runner's
 * backoff); when its last attempt fails too, the notification is recorded as a dead letter
 * (`notify:<event id>`, once however often that happens) and the job ends.
 */
export function notifyHandler(deps: JobDeps) {
  return async ({ event }: JobPayloads['orderflow.notify'], context: JobContext) => {
    const notification: Notification = {
      id: event.id,
      name: event.name,
      payload: event.payload,
      createdAt: event.createdAt,
    };
    try {
      await deps.notifier.notify(notification);
    } catch (error) {
      // Before the last attempt the runner retries (also when a runner reports no `attempts`).
      if (!(context.attempt >= context.attempts)) throw error;
      await deadLetter(deps, notification, context, error);
    }
  };
}

async function deadLetter(
  deps: JobDeps,
  notification: Notification,
  context: JobContext,
  error: unknown,
): Promise<void> {
  const { storage, clock, logger } = deps.ctx;
  const record = {
    id: `notify:${notification.id}`,
    job: context.name,
    jobId: context.id,
    payload: notification,
    error: error instanceof Error ? error.message : String(error),
    attempts: context.attempt,
    createdAt: isoNow(clock),
  };
  const fields = {
    deadLetterId: record.id,
    eventId: notification.id,
    event: notification.name,
    attempts: record.attempts,
    error: record.error,
    err: error,
  };
  try {
    await storage.deadLetters.insert(record);
  } catch (storageError) {
    // Nothing was recorded: fail the job so the runner reports the give-up itself.
    logger.error({ ...fields, storageError }, 'could not record a failed notification');
    throw error;
  }
  logger.error(fields, `notification ${notification.name} failed for good; dead-lettered`);
}
