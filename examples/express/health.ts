import type { RequestHandler, Router } from 'express';
import type { OrderSystem } from 'orderflow';
import type { Logger } from 'pino';
import { z } from 'zod';
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from './errors.js';
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

/** What `GET /health` and `GET /health/ready` report: whether this process should get traffic. */
export const healthSchema = z.object({
  status: z
    .enum(['ok', 'error', 'draining'])
    .describe(
      '`ok` when every check passed (200); `error` when one failed, `draining` while the ' +
        'server shuts down (503)',
    ),
  storage: checkSchema,
  jobs: checkSchema,
});

/** What `GET /health/live` reports: the process is up and answering. */
export const livenessSchema = z.object({ status: z.literal('ok') });

interface HealthContext {
  oms: OrderSystem;
  logger: Logger | undefined;
  draining: () => boolean;
}

const NOT_READY = {
  '503': {
    description:
      'Storage or the job runner did not answer (`error`), or the server is shutting down (`draining`)',
    headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    content: json(ref('Health')),
  },
};

/** Readiness: storage and the job runner answer, and the server is not shutting down. */
const readiness =
  ({ oms, logger, draining }: HealthContext): RequestHandler =>
  async (req, res) => {
    const log = (req as { log?: Logger }).log ?? logger;
    const [storage, jobs] = await Promise.all([
      check('storage', () => oms.storage.ping(), log),
      check('jobs', () => oms.jobs.ping(), log),
    ]);
    const status = draining() ? 'draining' : storage === 'ok' && jobs === 'ok' ? 'ok' : 'error';
    res.setHeader('Cache-Control', 'no-store');
    if (status !== 'ok') res.setHeader('Retry-After', String(RETRY_AFTER_UNAVAILABLE_SECONDS));
    res.status(status === 'ok' ? 200 : 503).json({ status, storage, jobs });
  };

/**
 * Health checks, without authentication: `GET /health/live` (the process is up: 200 as long
 * as it answers at all), `GET /health/ready` (200 when storage and the job runner answer; 503
 * when one does not, and while the server drains on shutdown, so a load balancer stops
 * sending traffic) and `GET /health`, the same as `/health/ready`.
 */
export const healthRoutes = defineRoutes<HealthContext>({
  scope: 'public',
  tag: { name: 'System', description: 'Health, this document and the docs pages' },
  components: { outputs: { Health: healthSchema, Liveness: livenessSchema } },
  routes: [
    {
      method: 'get',
      path: '/health',
      operation: {
        operationId: 'getHealth',
        summary: 'Health check',
        description:
          'Liveness and readiness in one, the same as `/health/ready`: whether storage and the ' +
          'job runner answer (503 naming the one that did not, or `draining` on shutdown).',
        success: { status: '200', description: 'Ready', content: json(ref('Health')) },
        errors: [],
        otherResponses: NOT_READY,
      },
      handler: readiness,
    },
    {
      method: 'get',
      path: '/health/live',
      operation: {
        operationId: 'getLiveness',
        summary: 'Liveness check',
        description:
          'The process is up and answering; checks nothing else, so a slow database never ' +
          'gets the process restarted.',
        success: { status: '200', description: 'Alive', content: json(ref('Liveness')) },
        errors: [],
      },
      handler: () => (_req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json({ status: 'ok' });
      },
    },
    {
      method: 'get',
      path: '/health/ready',
      operation: {
        operationId: 'getReadiness',
        summary: 'Readiness check',
        description:
          'Whether this process should get traffic: storage and the job runner answer and the ' +
          'server is not shutting down (503 with `draining` from the first shutdown signal on).',
        success: { status: '200', description: 'Ready', content: json(ref('Health')) },
        errors: [],
        otherResponses: NOT_READY,
      },
      handler: readiness,
    },
  ],
});

/**
 * The health routes of `oms`, mounted at the app's root. `draining` tells whether the server
 * is shutting down.
 */
export function healthRouter(
  oms: OrderSystem,
  options: { logger?: Logger | undefined; draining?: () => boolean } = {},
): Router {
  return mountRoutes(healthRoutes, {
    oms,
    logger: options.logger,
    draining: options.draining ?? (() => false),
  });
}
