/** One event handed to the notifier, with the id receivers can dedupe on. */
export interface Notification {
  /** Unique per event (`evt_…`), the same on every redelivery. */
  id: string;
  name: string;
  payload: unknown;
  createdAt: string;
}

/**
 * The notifier port: tells the outside world about every event (email, webhooks, chat).
 * Runs in a job, at least once per event; throw to have the job retried.
 */
export interface NotifierPort {
  notify(notification: Notification): Promise<void>;
}
