import { afterEach, beforeEach, describe, it } from 'vitest';
import { inProcessJobs } from '../../adapters/jobs/in-process/index.js';
import { silentLogger } from '../../src/ports/logger.js';
import { jobRunnerConformanceSuite } from '../../src/testing/job-runner-conformance.js';

const backoff = { minTimeoutMs: 1, factor: 1 };
const test = { describe, it, beforeEach, afterEach };

jobRunnerConformanceSuite(
  'in-process (manual clock)',
  async ({ clock }) => ({ runner: inProcessJobs({ clock, logger: silentLogger, backoff }) }),
  { test },
);

// The real-time variants, as a runner that cannot follow a manual clock (BullMQ) runs them.
jobRunnerConformanceSuite(
  'in-process (system clock)',
  async () => ({ runner: inProcessJobs({ logger: silentLogger, backoff }) }),
  { test, supportsManualClock: false, realDelayMs: 100, realEveryMs: 20 },
);
