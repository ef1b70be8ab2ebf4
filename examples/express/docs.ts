/**
 * `GET /openapi.json` (the document `buildOpenApiDocument()` generates from the zod schemas)
 * and `GET /docs`, an interactive Swagger UI page served entirely from local files: the
 * `swagger-ui-dist` package in node_modules and a small start-up script, with no CDN and no
 * inline script, so it works under a strict Content-Security-Policy.
 *
 * ```ts
 * app.use(docsRouter({ document: buildOpenApiDocument() })); // before the catch-all 404 handler
 * ```
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express from 'express';
import type { OpenApiDocument } from './openapi/types.js';
import { json } from './openapi/zod-schemas.js';
import { defineRoutes, mountRoutes } from './route-group.js';

const require = createRequire(import.meta.url);

/** Where swagger-ui-dist's prebuilt files are. */
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The only files of swagger-ui-dist the page needs; nothing else there is served. */
const SWAGGER_UI_FILES = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/**
 * Starts Swagger UI on `#swagger-ui`, reading the document's URL from its `data-openapi-url`.
 * Served as a file so the page needs no inline script. `validatorUrl: null` keeps Swagger UI
 * from asking an outside validator about the document.
 */
const INIT_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    docExpansion: 'list',
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
})();
`;

/**
 * The policy of the docs page itself, set on that response so it works whatever the app's
 * own CSP (helmet's default has `upgrade-insecure-requests`, which breaks plain-HTTP local
 * use). Scripts and styles come only from this origin; Swagger UI's React output needs inline
 * `style` attributes, and its icons are `data:` images.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function docsPage(base: string): string {
  const at = escapeHtml(base);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>orderflow example API – docs</title>
    <link rel="icon" type="image/png" sizes="32x32" href="${at}/docs/assets/favicon-32x32.png">
    <link rel="icon" type="image/png" sizes="16x16" href="${at}/docs/assets/favicon-16x16.png">
    <link rel="stylesheet" href="${at}/docs/assets/swagger-ui.css">
  </head>
  <body>
    <noscript>This page needs JavaScript; the API description itself is at <a href="${at}/openapi.json">${at}/openapi.json</a>.</noscript>
    <div id="swagger-ui" data-openapi-url="${at}/openapi.json"></div>
    <script src="${at}/docs/assets/swagger-ui-bundle.js"></script>
    <script src="${at}/docs/assets/init.js"></script>
  </body>
</html>
`;
}

interface DocsContext {
  /** The document, serialized once. */
  documentJson: string;
}

/** `GET /openapi.json` and `GET /docs`, without authentication. */
export const docsRoutes = defineRoutes<DocsContext>({
  scope: 'public',
  tag: { name: 'System', description: 'Health, this document and the docs pages' },
  routes: [
    {
      method: 'get',
      path: '/openapi.json',
      operation: {
        operationId: 'getOpenApiDocument',
        summary: 'Get OpenAPI document',
        description: 'This document: OpenAPI 3.1, generated from the zod schemas of the library.',
        success: {
          status: '200',
          description: 'The OpenAPI document',
          content: json({ type: 'object', additionalProperties: true }),
        },
        errors: [],
      },
      handler:
        ({ documentJson }) =>
        (_req, res) => {
          res.setHeader('Cache-Control', 'no-cache');
          res.type('application/json').send(documentJson);
        },
    },
    {
      method: 'get',
      path: '/docs',
      operation: {
        operationId: 'getDocs',
        summary: 'Interactive API docs',
        description: 'A page rendered from this document, served from local files (no CDN).',
        success: {
          status: '200',
          description: 'The docs page',
          content: { 'text/html': { schema: { type: 'string' } } },
        },
        errors: [],
      },
      handler: () => (req, res) => {
        res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(docsPage(req.baseUrl));
      },
    },
  ],
});

export interface DocsRouterOptions {
  /** The document to serve (`buildOpenApiDocument()`). */
  document: OpenApiDocument;
}

/**
 * `GET /openapi.json`, `GET /docs` and the page's assets under `/docs/assets/`, without
 * authentication. Mount it at the app's root (or under a prefix: the page links relative to
 * where it is mounted).
 */
export function docsRouter(options: DocsRouterOptions): express.Router {
  const router = express.Router();
  router.use(mountRoutes(docsRoutes, { documentJson: JSON.stringify(options.document) }));

  router.get('/docs/assets/init.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(INIT_SCRIPT);
  });

  router.get('/docs/assets/:file', (req, res, next) => {
    const file = req.params.file;
    if (!SWAGGER_UI_FILES.has(file)) {
      next();
      return;
    }
    res.sendFile(file, { root: SWAGGER_UI_DIR, maxAge: '1d' }, (error) => {
      if (error) next(error);
    });
  });

  return router;
}
