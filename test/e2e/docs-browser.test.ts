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
      for (const text of ['/api/v1/returns/preview', '/api/v1/payments/{id}/refund', '/health']) {
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
});
