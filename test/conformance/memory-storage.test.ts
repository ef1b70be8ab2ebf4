import { memoryStorage } from 'orderflow/adapters/memory';
import { storageConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';

import { backendEnabled } from '../support/backends.js';

// Memory lives and dies with the process, so there is no close-and-reopen case to run.
if (backendEnabled('memory')) {
  storageConformanceSuite('memory', async () => ({ storage: memoryStorage() }), {
    test: { describe, it, beforeEach, afterEach },
  });
} else {
  it.skipIf(true)('memory storage conformance (not in ORDERFLOW_TEST_BACKENDS)', () => {});
}
