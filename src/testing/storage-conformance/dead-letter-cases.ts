import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import {
  allPages,
  at,
  deadLetterRecord,
  idsOf,
  insertAll,
  newestFirst,
  scrambled,
} from './fixtures.js';

/** Dead letters: jobs given up after their last attempt, kept once each and listed newest first. */
export function deadLetterCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;
  it('keeps one dead letter per id, the first one written, also for parallel inserts', async () => {
    const s = storage();
    const first = deadLetterRecord({ createdAt: at(1) });
    await s.deadLetters.insert(first);
    await s.deadLetters.insert({
      ...first,
      error: 'a later give-up',
      attempts: 5,
      createdAt: at(2),
    });
    sameData(await s.deadLetters.list({ limit: 10 }), { data: [first], nextCursor: null });

    const raced = deadLetterRecord({ createdAt: at(3) });
    await Promise.all(Array.from({ length: 5 }, () => s.deadLetters.insert(raced)));
    sameData(idsOf((await s.deadLetters.list({ limit: 10 })).data), idsOf([raced, first]));
  });

  it('lists dead letters newest first and walks every page exactly once with keyset cursors', async () => {
    const s = storage();
    // Seven records a minute apart, except #3 and #4 (same createdAt: the id breaks the tie).
    const records = Array.from({ length: 7 }, (_, i) =>
      deadLetterRecord({ createdAt: at(i === 4 ? 3 : i), attempts: i + 1 }),
    );
    await insertAll(scrambled(records), (r) => s.deadLetters.insert(r));

    const { pages, cursors } = await allPages((cursor) => s.deadLetters.list({ limit: 3, cursor }));
    sameData(
      pages.map((p) => p.length),
      [3, 3, 1],
    );
    assert.equal(cursors.at(-1), null);
    sameData(pages.flat(), newestFirst(records));
    sameData(await s.deadLetters.list({ limit: 7 }), {
      data: newestFirst(records),
      nextCursor: null,
    });
  });

  it('keeps no dead letter written in a transaction that rolled back', async () => {
    const s = storage();
    const kept = deadLetterRecord({ createdAt: at(0) });
    const dropped = deadLetterRecord({ createdAt: at(1) });
    await s.transaction(async (tx) => tx.deadLetters.insert(kept));
    await assert.rejects(
      s.transaction(async (tx) => {
        await tx.deadLetters.insert(dropped);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    sameData((await s.deadLetters.list({ limit: 10 })).data, [kept]);
  });
}
