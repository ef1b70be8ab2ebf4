import type { z } from 'zod';
import type { DeadLetterRecord, StorageAdapter } from '../ports/storage.js';
import { type Page, pageQuerySchema } from '../schemas/common.js';
import { parseInput } from '../schemas/parse.js';

/** `limit` (1–100, default 20) and `cursor` of `oms.deadLetters.list()`. */
export type ListDeadLettersQuery = z.input<typeof pageQuerySchema>;

/**
 * Work orderflow gave up on after the job runner's last attempt — so far, notifications
 * whose notifier kept failing (a webhook endpoint that stayed down). One record per piece
 * of work (`notify:<event id>`), however often it was given up. Nothing retries them on its
 * own: look at them, fix the cause, replay by hand.
 *
 * ```ts
 * const { data, nextCursor } = await oms.deadLetters.list({ limit: 50 });
 * for (const d of data) console.log(d.createdAt, d.job, d.id, d.error);
 * ```
 */
export interface DeadLetters {
  /** Newest first, paged by `cursor` (the previous page's `nextCursor`). */
  list(query?: ListDeadLettersQuery): Promise<Page<DeadLetterRecord>>;
}

export function deadLetters(storage: StorageAdapter): DeadLetters {
  return {
    async list(query = {}) {
      const { limit, cursor } = parseInput(pageQuerySchema, query, 'query');
      return storage.deadLetters.list({ limit, cursor });
    },
  };
}
