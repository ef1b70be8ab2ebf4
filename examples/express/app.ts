import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { OrderSystem } from 'orderflow';
import { type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { bearerAuth } from './auth.js';
import { docsRouter } from './docs.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { healthRouter } from './health.js';
import { checkInput, JSON_TYPES, refuseInvalidUtf8, requireJsonBody } from './http.js';
import { buildOpenApiDocument } from './openapi.js';
import { redocRouter } from './redoc.js';
import { mountRoutes } from './route-group.js';
import { API_ROUTE_GROUPS } from './routes/index.js';
import { webhooksRoutes } from './routes/webhooks.js';

export interface AppOptions {
  /** The key every `/api/v1` request must send as `Authorization: Bearer <key>`. */
  apiKey: string;
  /**
   * Where request logs go (one line per request, via pino-http). Pass
   * `pino({ level: 'silent' })` to keep tests quiet, or `false` for no request logging.
   * @default pino() at level info, to stdout
   */
  logger?: Logger | false;
  /** Largest JSON body accepted; larger ones get 413 `payload_too_large`. @default '1mb' */
  bodyLimit?: string | number;
  /**
   * Whether the server is shutting down: while it returns true, `GET /health/ready` (and
   * `/health`) answer 503 `draining`, so a load balancer stops sending traffic, and every
   * other route still works. `startServer` sets it from the first shutdown signal on.
   * @default () => false
   */
  draining?: () => boolean;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * `GET /openapi.json` and `GET /docs`. The document depends only on the route groups, so one
 * router (built on first use, ~80 ms) serves every app in the process.
 */
let docs: express.Router | undefined;

/** Keeps a well-formed `X-Request-Id` from the client or makes one up, and echoes it. */
const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

/** pino-http with the request id above, levels by status, and no credentials in logs. */
function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req: IncomingMessage, res: ServerResponse) =>
      (res as { locals?: { requestId?: string } }).locals?.requestId ?? randomUUID(),
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { headers?: Record<string, unknown> }) =>
        req.headers?.authorization === undefined
          ? req
          : { ...req, headers: { ...req.headers, authorization: '[redacted]' } },
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/**
 * The example REST API over an order system: `/api/v1/orders`, `/returns`, `/payments`
 * behind a bearer key; `POST /webhooks/payments` (signed by the payment provider);
 * `GET /health` (and `/health/live`, `/health/ready`),
 * `GET /openapi.json`, `GET /docs` and `GET /redoc` without one.
 *
 * ```ts
 * const app = createApp(oms, { apiKey: process.env.ORDERFLOW_API_KEY! });
 * app.listen(3000);
 * ```
 */
export function createApp(system: OrderSystem, options: AppOptions): express.Application {
  const logger = options.logger === undefined ? pino() : options.logger;
  const app = express();
  app.disable('x-powered-by');
  // ETags carry entity versions (set by the routes), never a hash of the body.
  app.set('etag', false);

  app.use(helmet());
  app.use(requestId);
  if (logger) app.use(requestLogger(logger));

  app.use(
    healthRouter(system, {
      logger: logger || undefined,
      ...(options.draining ? { draining: options.draining } : {}),
    }),
  );
  // Provider webhooks: no bearer key (the provider signs them) and no JSON parser — the
  // signature is checked over the raw body, so the route reads the bytes itself.
  app.use(mountRoutes(webhooksRoutes, system));
  docs ??= docsRouter({ document: buildOpenApiDocument() });
  app.use(docs);
  app.use(redocRouter());

  const api = express.Router();
  api.use(bearerAuth(options.apiKey));
  api.use(requireJsonBody);
  api.use(
    express.json({
      limit: options.bodyLimit ?? '1mb',
      type: JSON_TYPES,
      verify: refuseInvalidUtf8,
    }),
  );
  api.use(checkInput);
  for (const group of API_ROUTE_GROUPS) api.use(mountRoutes(group, system));
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(errorHandler(logger || undefined));
  return app;
}
