import { type RequestHandler, Router } from 'express';
import type { OrderSystem } from 'orderflow';
import type { Logger } from 'pino';
import { methodNotAllowed } from './errors.js';

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

/**
 * `GET /health`: liveness and readiness in one, without authentication. 200
 * `{ status: 'ok', storage: 'ok', jobs: 'ok' }` when the store and the job runner answer;
 * 503 `{ status: 'error', storage, jobs }` naming the part that failed otherwise.
 */
export function healthRouter(oms: OrderSystem, logger?: Logger): Router {
  const router = Router();
  const handler: RequestHandler = async (req, res) => {
    const log = (req as { log?: Logger }).log ?? logger;
    const [storage, jobs] = await Promise.all([
      check('storage', () => oms.storage.ping(), log),
      check('jobs', () => oms.jobs.ping(), log),
    ]);
    const ok = storage === 'ok' && jobs === 'ok';
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'error', storage, jobs });
  };
  router
    .route('/health')
    .get(handler)
    .all(methodNotAllowed(['GET']));
  return router;
}
