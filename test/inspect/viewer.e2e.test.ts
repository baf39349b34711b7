import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker } from '../../src/index.js';
import { startInspectorServer } from '../../src/inspect/startInspectorServer.js';
import type { InspectorServer } from '../../src/inspect/InspectorServer.js';

const artifacts = resolve(import.meta.dirname, '../../test-artifacts');
const silent = { info() {}, warn() {}, error() {} };

let browser: Browser;
let server: InspectorServer;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 20_000,
  });
  server = await startInspectorServer({ port: 0 });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function expectShown(page: Page, state: string, leaf: string): Promise<void> {
  await page.waitForFunction(
    ([s, l]) =>
      document.getElementById('state')?.getAttribute('data-state') === s &&
      document.getElementById(`state:${l}`)?.classList.contains('active') === true,
    [state, leaf] as const,
    { timeout: 5_000 },
  );
}

describe('self-hosted inspector in Chromium', () => {
  it('follows a breaker through closed → open → halfOpen → closed, with the P99 chart and the reasons', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(server.url);
    await page.waitForSelector('#diagram svg [id="state:closed"]');
    await page.waitForSelector('#connection[data-connected="true"]');

    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ name: 'venue-rpc', clock, random: () => 0.5, recoveryTimeoutMs: 1_000, minimumSamples: 20, logger: silent, inspect: server.inspect });
    const detach = server.attach(breaker, { latencyThresholdMs: 200, statsIntervalMs: 20 });
    const slowCall = (ms: number) => breaker.execute(() => {
      clock.increment(ms);
      return ms;
    });

    for (let i = 0; i < 10; i++) await slowCall(50);
    await expectShown(page, 'closed', 'closed');
    // stats are throttled (statsIntervalMs 20, on the real clock): wait for the one after these calls
    await page.waitForFunction(() => document.getElementById('p99')?.textContent === '50 ms', undefined, { timeout: 5_000 });
    expect(await page.textContent('#p99')).toBe('50 ms');

    for (let i = 0; i < 20 && breaker.state === 'closed'; i++) await slowCall(400); // P99 over 200 ms → open
    expect(breaker.state).toBe('open');
    await expectShown(page, 'open', 'open.waiting');
    await page.waitForFunction(() => document.querySelector('#transitions li')?.textContent?.includes('closed → open — P99 400 ms > 200 ms'));
    expect(await page.textContent('#breaker-name')).toBe('venue-rpc');

    clock.increment(1_000);
    expect(breaker.state).toBe('halfOpen');
    await expectShown(page, 'halfOpen', 'halfOpen.idle');
    expect(await page.getAttribute('[id="state:halfOpen"]', 'class')).toContain('active');

    await slowCall(10); // one fast probe closes it
    expect(breaker.state).toBe('closed');
    await expectShown(page, 'closed', 'closed');
    await page.waitForFunction(() => document.querySelectorAll('#transitions li').length === 3);
    const reasons = await page.$$eval('#transitions li', (items) => items.map((li) => li.textContent));
    expect(reasons[0]).toContain('halfOpen → closed — probe succeeded (10 ms, limit 200 ms)');
    expect(reasons[1]).toContain('open → halfOpen — backoff ended (attempt 0)');
    expect(await page.$$eval('#chart polyline', (lines) => lines.length)).toBe(1);
    expect(await page.$$eval('#diagram .active', (els) => els.map((e) => e.id))).toEqual(['state:closed']);

    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: resolve(artifacts, 'inspector.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    detach();
    breaker.dispose();
    await page.close();
  }, 30_000);
});
