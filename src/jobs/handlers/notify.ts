import type { JobPayloads } from '../definitions.js';
import type { JobDeps } from '../job-deps.js';

/** Hands every event to the notifier; a throwing notifier gets the job retried. */
export function notifyHandler(deps: JobDeps) {
  return async ({ event }: JobPayloads['orderflow.notify']) => {
    await deps.notifier.notify({
      id: event.id,
      name: event.name,
      payload: event.payload,
      createdAt: event.createdAt,
    });
  };
}
