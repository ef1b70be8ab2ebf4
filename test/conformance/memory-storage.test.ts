import { memoryStorage } from 'orderflow/adapters/memory';
import { storageConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';

// Memory lives and dies with the process, so there is no close-and-reopen case to run.
storageConformanceSuite('memory', async () => ({ storage: memoryStorage() }), {
  test: { describe, it, beforeEach, afterEach },
});
