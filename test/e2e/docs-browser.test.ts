/**
 * `/docs` of the running example app renders in headless Chromium (Debian's, driven by
 * playwright-core; `scripts/ensure-chromium.sh` installs it): every operation shows, from
 * local files only, under the page's Content-Security-Policy, with no script error.
 * Under CI=true a missing Chromium fails the test; locally it is installed on first run,
 * and only if that fails does the test skip, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createOrderSystem, type OrderSystem, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { fakeCarrier, fakePaymentProvider } from 'orderflow/testing';
import { pino } from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/app.js';
import { buildOpenApiDocument } from '../../examples/express/openapi.js';

const CHROMIUM = '/usr/bin/chromium';
const CI = process.env.CI === 'true';

/** Chromium is there, or is installed now by the same script CI runs. */
function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const script = fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url));
  spawnSync('bash', [script], { stdio: 'inherit', timeout: 9 * 60_000 });
  return existsSync(CHROMIUM);
}

const available = chromiumAvailable();
if (!available && !CI) {
  console.warn(
    `\n*** docs-browser.test.ts SKIPPED: ${CHROMIUM} is missing and could not be installed ` +
      '(run `bash scripts/ensure-chromium.sh` as root). CI=true never skips this test. ***\n',
  );
}

const API_KEY = 'docs_browser_test_key_0123456789';

describe.skipIf(!available && !CI)('GET /docs in headless Chromium', () => {
  let oms: OrderSystem;
  let server: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is required (scripts/ensure-chromium.sh)`).toBe(true);
    oms = await createOrderSystem({
      storage: sqliteStorage({ filename: ':memory:' }),
      jobs: inProcessJobs({ logger: silentLogger }),
      payments: fakePaymentProvider(),
      carrier: fakeCarrier(),
      logger: silentLogger,
    });
    const app = createApp(oms, { apiKey: API_KEY, logger: pino({ level: 'silent' }) });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => {
      if (!server?.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await oms?.close();
  });

  it('serves the generated document at /openapi.json without a key', async () => {
    const res = await fetch(`${origin}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('renders every operation from local files, under its CSP, without errors', async () => {
    const res = await fetch(`${origin}/docs`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:')) foreign.push(url);
    });
    try {
      const response = await page.goto(`${origin}/docs`);
      expect(response?.status()).toBe(200);

      // Swagger UI fetched /openapi.json and rendered the operations.
      const ordersPath = page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/orders$/ });
      await ordersPath.first().waitFor({ state: 'visible', timeout: 30_000 });
      await expect(page.locator('.info .title').textContent()).resolves.toContain(
        'orderflow example API',
      );
      const createOrder = page.locator('#operations-Orders-createOrder');
      await expect(createOrder.isVisible()).resolves.toBe(true);
      await expect(createOrder.textContent()).resolves.toMatch(/Create order[\s\S]*createOrder/);
      for (const text of ['/api/v1/returns/preview', '/api/v1/payments/{id}/refund', '/redoc']) {
        await expect(page.getByText(text, { exact: true }).first().isVisible(), text).resolves.toBe(
          true,
        );
      }
      const operationIds = await page.locator('.opblock-summary-operation-id').allInnerTexts();
      const documented = Object.values(buildOpenApiDocument().paths).flatMap((item) =>
        Object.values(item).map((op) => op.operationId),
      );
      expect(operationIds.sort()).toEqual(documented.sort());

      // Opening an operation shows its request body, generated from createOrderInput.
      await createOrder.locator('.opblock-summary').click();
      await createOrder.getByText('Request body').first().waitFor({ timeout: 10_000 });
      await expect(createOrder.textContent()).resolves.toContain('customerId');

      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('Try it out on POST /orders, executed twice, creates two different orders; a PATCH sends no stale If-Match', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    try {
      await page.goto(`${origin}/docs`);
      await page.locator('.btn.authorize').first().click();
      const modal = page.locator('.dialog-ux .modal-ux');
      await modal.locator('input').first().fill(API_KEY);
      await modal.locator('button.authorize').click();
      await modal.locator('button.btn-done').click();

      const createOrder = page.locator('#operations-Orders-createOrder');
      await createOrder.locator('.opblock-summary').click();
      await createOrder.locator('.try-out__btn').click();
      const execute = async () => {
        const [response] = await Promise.all([
          page.waitForResponse(
            (r) => r.request().method() === 'POST' && r.url() === `${origin}/api/v1/orders`,
          ),
          createOrder.locator('button.execute').click(),
        ]);
        const headers = response.request().headers();
        return { status: response.status(), body: await response.json(), headers };
      };
      const first = await execute();
      const second = await execute();
      for (const sent of [first, second]) {
        expect(sent.status).toBe(201);
        expect(sent.body.id).toMatch(/^ord_[0-9a-z]{26}$/);
        expect(sent.headers).not.toHaveProperty('idempotency-key');
        expect(sent.headers['idempotency-replayed']).toBeUndefined();
      }
      expect(second.body.id).not.toBe(first.body.id);
      // What Swagger UI shows is the second order.
      await expect(createOrder.locator('.live-responses-table').textContent()).resolves.toContain(
        second.body.id,
      );

      // A PATCH on the fresh order: no pre-filled If-Match, so it is not refused as stale.
      const transition = page.locator('#operations-Orders-transitionOrder');
      await transition.locator('.opblock-summary').click();
      await transition.locator('.try-out__btn').click();
      await transition.locator('input[placeholder="id"]').fill(second.body.id);
      await expect(transition.locator('input[placeholder="If-Match"]').inputValue()).resolves.toBe(
        '',
      );
      await transition.locator('textarea.body-param__text').fill('{ "state": "cancelled" }');
      const [patched] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PATCH'),
        transition.locator('button.execute').click(),
      ]);
      expect(patched.request().headers()).not.toHaveProperty('if-match');
      expect(patched.status()).toBe(200);
      expect(await patched.json()).toMatchObject({ id: second.body.id, state: 'cancelled' });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('renders the same document in ReDoc at /redoc, from local files, under its CSP', async () => {
    const res = await fetch(`${origin}/redoc`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/https?:\/\//);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!/^(?:data|blob):/.test(url) && !url.startsWith(`${origin}/`)) foreign.push(url);
    });
    try {
      await page.goto(`${origin}/redoc`);
      await page
        .locator('h1', { hasText: 'orderflow example API' })
        .first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      const document = buildOpenApiDocument();
      for (const item of Object.values(document.paths)) {
        for (const op of Object.values(item)) {
          await expect(
            page.locator(`[id$="/${op.operationId}"]`).count(),
            op.operationId,
          ).resolves.toBeGreaterThan(0);
        }
      }
      await page
        .locator('h2', { hasText: /^\s*Create order\s*$/ })
        .first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
});
