import { describe, expect, it } from 'vitest';
import { OutboxDispatcher, type OutboxDispatcherDeps } from '../../src/events/outbox-dispatcher.js';

/** A dispatcher whose store deletes outbox rows only when the test lets it. */
function dispatcherWithSlowDeletes() {
  const deletes: { ids: string[]; finish: () => void }[] = [];
  const storage = {
    outbox: {
      delete: (ids: readonly string[]) =>
        new Promise<void>((finish) => {
          deletes.push({ ids: [...ids], finish });
        }),
    },
  };
  const logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const dispatcher = new OutboxDispatcher({ storage, logger } as unknown as OutboxDispatcherDeps);
  return { dispatcher, deletes };
}

const ticks = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await ticks();
  return done;
};

describe('OutboxDispatcher.flush', () => {
  it('waits for a delete already under way, though it has no rows of its own to delete', async () => {
    const { dispatcher, deletes } = dispatcherWithSlowDeletes();
    dispatcher.returnDispatched(['evt_1']);
    const first = dispatcher.flush();
    await ticks();
    expect(deletes.map((d) => d.ids)).toEqual([['evt_1']]);

    const second = dispatcher.flush();
    expect(await settled(second)).toBe(false);
    expect(deletes).toHaveLength(1);

    deletes[0]!.finish();
    await Promise.all([first, second]);
  });

  it('deletes rows dispatched while a delete runs in one more statement, after it', async () => {
    const { dispatcher, deletes } = dispatcherWithSlowDeletes();
    dispatcher.returnDispatched(['evt_1']);
    const first = dispatcher.flush();
    await ticks();
    dispatcher.returnDispatched(['evt_2', 'evt_3']);
    const second = dispatcher.flush();
    expect(await settled(second)).toBe(false);
    expect(deletes.map((d) => d.ids)).toEqual([['evt_1']]);

    deletes[0]!.finish();
    await first;
    await settled(second);
    expect(deletes.map((d) => d.ids)).toEqual([['evt_1'], ['evt_2', 'evt_3']]);
    deletes[1]!.finish();
    await second;
  });
});
