import {
  DEFAULT_CONFIG,
  type DeadLetterRecord,
  type Logger,
  type Notification,
  type NotifierPort,
} from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

/** A notifier that counts calls per event and fails the first `failures` calls of each. */
function failingNotifier(failures: number): NotifierPort & {
  calls: Map<string, Notification[]>;
  delivered: Notification[];
} {
  const calls = new Map<string, Notification[]>();
  const delivered: Notification[] = [];
  return {
    calls,
    delivered,
    async notify(n) {
      const seen = [...(calls.get(n.id) ?? []), n];
      calls.set(n.id, seen);
      if (seen.length <= failures) throw new Error(`webhook endpoint down (call ${seen.length})`);
      delivered.push(n);
    },
  };
}

/** A logger that keeps every `error` message. */
function recordingLogger(): Logger & { errors: { obj: object; msg: string | undefined }[] } {
  const errors: { obj: object; msg: string | undefined }[] = [];
  return {
    errors,
    debug() {},
    info() {},
    warn() {},
    error: (obj, msg) => errors.push({ obj, msg }),
  };
}

async function allDeadLetters(
  list: (cursor?: string) => Promise<{ data: DeadLetterRecord[]; nextCursor: string | null }>,
) {
  const out: DeadLetterRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor);
    out.push(...page.data);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}

describe('workflow: notifications given up after the last attempt become dead letters', () => {
  it('records exactly one dead letter per event once every attempt failed, and logs it', async () => {
    const notifier = failingNotifier(Number.POSITIVE_INFINITY);
    const logger = recordingLogger();
    const { oms, clock } = await testSystem({ notifier, logger });

    const order = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    // A later sweep and a redelivered job record nothing new.
    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const events = [...notifier.calls.keys()];
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const calls of notifier.calls.values()) expect(calls).toHaveLength(3);
    const letters = await allDeadLetters((cursor) => oms.deadLetters.list({ limit: 2, cursor }));
    expect(letters.map((d) => d.id).sort()).toEqual(events.map((id) => `notify:${id}`).sort());
    for (const letter of letters) {
      const notification = notifier.calls.get(letter.id.slice('notify:'.length))![0]!;
      expect(letter).toEqual({
        id: `notify:${notification.id}`,
        job: 'orderflow.notify',
        jobId: `notify:${notification.id}`,
        payload: notification,
        error: 'webhook endpoint down (call 3)',
        attempts: 3,
        createdAt: expect.any(String),
      });
    }
    const createdAts = letters.map((d) => d.createdAt);
    expect(createdAts).toEqual([...createdAts].sort().reverse());
    const logged = logger.errors.filter((e) => e.msg?.includes('dead-lettered'));
    expect(logged).toHaveLength(events.length);
  });

  it('records none when the notifier succeeds on a retry, even on the last attempt', async () => {
    const notifier = failingNotifier(2);
    const { oms } = await testSystem({ notifier });

    const order = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();

    expect(notifier.delivered.length).toBe(notifier.calls.size);
    expect(new Set(notifier.delivered.map((n) => n.id)).size).toBe(notifier.calls.size);
    expect(await oms.deadLetters.list()).toEqual({ data: [], nextCursor: null });
  });

  it('refuses a page size outside 1–100 with a validation error', async () => {
    const { oms } = await testSystem();
    await expect(oms.deadLetters.list({ limit: 0 })).rejects.toMatchObject({
      code: 'validation_error',
    });
    await expect(oms.deadLetters.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'validation_error',
    });
  });
});
