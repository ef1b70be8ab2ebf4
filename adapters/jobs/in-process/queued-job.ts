/** A job as the in-process runner keeps it. */
export interface QueuedJob {
  id: string;
  name: string;
  payload: unknown;
  /** Total runs allowed, first run included. */
  attempts: number;
  /** When it may run, by the runner's clock (epoch ms). */
  dueAt: number;
  /** Set on runs of a recurring schedule: the schedule's name. */
  schedule?: string;
}

/** Inserts `job` into `list` (sorted by `dueAt`), after the jobs due at the same time. */
export function insertByDueAt(list: QueuedJob[], job: QueuedJob): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]!.dueAt <= job.dueAt) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, job);
}
