/**
 * `GET /redoc`: the same OpenAPI document rendered by ReDoc, served entirely from local files
 * (the standalone bundle of the `redoc` package in node_modules), with no CDN and no inline
 * script, under its own Content-Security-Policy.
 *
 * ```ts
 * app.use(redocRouter()); // beside docsRouter(), before the catch-all 404 handler
 * ```
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import { defineRoutes, mountRoutes } from './route-group.js';

const require = createRequire(import.meta.url);

/** ReDoc's prebuilt standalone bundle (React and all included). */
const REDOC_BUNDLE = join(dirname(require.resolve('redoc/package.json')), 'bundles');
const REDOC_FILE = 'redoc.standalone.js';

/**
 * The one outside address the bundle loads: the Redocly logo in the sidebar's footer, from
 * its CDN. It is taken out of the served copy (ReDoc leaves out a logo that fails to load),
 * so the page asks nothing of any other host; the CSP would block it anyway.
 */
const REDOC_CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';

let bundle: string | undefined;
/** The standalone bundle as served: read once, without the CDN logo. */
function redocBundle(): string {
  bundle ??= readFileSync(join(REDOC_BUNDLE, REDOC_FILE), 'utf8').replaceAll(REDOC_CDN_LOGO, '');
  return bundle;
}

/**
 * Scripts only from this origin. ReDoc injects its styles (styled-components), draws icons as
 * `data:` images, and runs its search index in a Web Worker it starts from a `blob:` URL.
 */
export const REDOC_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The standalone bundle starts ReDoc on the `<redoc spec-url>` element by itself. */
function redocPage(base: string): string {
  const at = escapeHtml(base);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>orderflow example API – reference</title>
    <link rel="icon" type="image/png" sizes="32x32" href="${at}/docs/assets/favicon-32x32.png">
  </head>
  <body>
    <noscript>This page needs JavaScript; the API description itself is at <a href="${at}/openapi.json">${at}/openapi.json</a>.</noscript>
    <redoc spec-url="${at}/openapi.json"></redoc>
    <script src="${at}/redoc/assets/${REDOC_FILE}"></script>
  </body>
</html>
`;
}

/** `GET /redoc`, without authentication. */
export const redocRoutes = defineRoutes<undefined>({
  scope: 'public',
  tag: { name: 'System', description: 'Health, this document and the docs pages' },
  routes: [
    {
      method: 'get',
      path: '/redoc',
      operation: {
        operationId: 'getRedoc',
        summary: 'API reference (ReDoc)',
        description:
          'This document rendered by ReDoc, served from local files (no CDN); `/docs` has the same with Try it out.',
        success: {
          status: '200',
          description: 'The reference page',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        errors: [],
      },
      handler: () => (req, res) => {
        res.setHeader('Content-Security-Policy', REDOC_CONTENT_SECURITY_POLICY);
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(redocPage(req.baseUrl));
      },
    },
  ],
});

/**
 * `GET /redoc` and its one asset, `/redoc/assets/redoc.standalone.js`. Mount it at the app's
 * root, beside `docsRouter()` (which serves `/openapi.json`).
 */
export function redocRouter(): express.Router {
  const router = express.Router();
  router.use(mountRoutes(redocRoutes, undefined));
  router.get(`/redoc/assets/${REDOC_FILE}`, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('text/javascript').send(redocBundle());
  });
  return router;
}
