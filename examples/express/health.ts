import type { Router } from 'express';
import type { OrderSystem } from 'orderflow';
import type { Logger } from 'pino';
import { z } from 'zod';
import { json, ref } from './openapi/zod-schemas.js';
import { defineRoutes, mountRoutes } from './route-group.js';

/** How long each readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

type CheckResult = 'ok' | 'error';

async function check(
  name: string,
  ping: () => Promise<void>,
  logger: Logger | undefined,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${name} did not answer in ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
        timer.unref();
      }),
    ]);
    return 'ok';
  } catch (err) {
    logger?.warn({ err, check: name }, 'health check failed');
    return 'error';
  } finally {
    clearTimeout(timer);
  }
}

const checkSchema = z.enum(['ok', 'error']);

/** What `GET /health` reports: liveness, and whether storage and the job runner answer. */
export const healthSchema = z.object({
  status: checkSchema.describe('`ok` when every check passed (200), else `error` (503)'),
  storage: checkSchema,
  jobs: checkSchema,
});

interface HealthContext {
  oms: OrderSystem;
  logger: Logger | undefined;
}

/**
 * `GET /health`: liveness and readiness in one, without authentication. 200
 * `{ status: 'ok', storage: 'ok', jobs: 'ok' }` when the store and the job runner answer;
 * 503 `{ status: 'error', storage, jobs }` naming the part that failed otherwise.
 */
export const healthRoutes = defineRoutes<HealthContext>({
  scope: 'public',
  tag: { name: 'System', description: 'Health, this document and the docs page' },
  components: { outputs: { Health: healthSchema } },
  routes: [
    {
      method: 'get',
      path: '/health',
      operation: {
        operationId: 'getHealth',
        summary: 'Health check',
        description:
          'Liveness, and whether storage and the job runner answer (503 naming the one that did not).',
        success: { status: '200', description: 'Ready', content: json(ref('Health')) },
        errors: [],
        otherResponses: {
          '503': {
            description: 'Storage or the job runner did not answer',
            content: json(ref('Health')),
          },
        },
      },
      handler:
        ({ oms, logger }) =>
        async (req, res) => {
          const log = (req as { log?: Logger }).log ?? logger;
          const [storage, jobs] = await Promise.all([
            check('storage', () => oms.storage.ping(), log),
            check('jobs', () => oms.jobs.ping(), log),
          ]);
          const ok = storage === 'ok' && jobs === 'ok';
          res.setHeader('Cache-Control', 'no-store');
          res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'error', storage, jobs });
        },
    },
  ],
});

/** The health routes of `oms`, mounted at the app's root. */
export function healthRouter(oms: OrderSystem, logger?: Logger): Router {
  return mountRoutes(healthRoutes, { oms, logger });
}
