import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../../examples/metrics-server.js';
import { LatencyDigest } from '../../src/index.js';
import { parseExposition } from './parseExposition.js';

const P = 'p99_breaker_';
const b = { breaker: 'venue-rpc' };
let server: MetricsServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A real HTTP request to the example server, parsed strictly. */
async function scrape(url: string) {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await response.text());
}

describe('examples/metrics-server.ts', () => {
  it('serves /metrics on 127.0.0.1 with the values of a scripted trip and recovery', async () => {
    server = await startMetricsServer({ port: 0, logger: pino({ level: 'silent' }) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    let m = await scrape(server.url);
    expect(m.value(`${P}state`, { ...b, state: 'closed' })).toBe(1);
    expect(m.samples(`${P}transitions_total`)).toEqual([]);

    await server.trip(); // 200 × 20 ms, 2 × 350 ms (P99 of the last 100 = 350 ms > 200 ms), 3 refused
    m = await scrape(server.url);
    expect(m.value(`${P}state`, { ...b, state: 'open' })).toBe(1);
    expect(m.value(`${P}state`, { ...b, state: 'closed' })).toBe(0);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'closed', to: 'open', trigger: 'p99' })).toBe(1);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'succeeded' })).toBe(202);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'slow' })).toBe(2);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'rejected' })).toBe(3);
    expect(m.value(`${P}window_p99_seconds`, b)).toBe(0.35);
    expect(m.value(`${P}next_attempt_timestamp_seconds`, b)).toBe(5.7); // 4 700 ms + 1 000 ms backoff
    expect(m.value(`${P}recovery_attempt`, b)).toBe(0);
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(202);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.025' })).toBe(200);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.3' })).toBe(200);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.5' })).toBe(202);
    expect(m.value(`${P}call_duration_seconds_sum`, b)).toBeCloseTo(200 * 0.02 + 2 * 0.35, 9);
    // Read every simulated second (50 calls per period, window of 100): none left the window unread.
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(0);

    await server.recover(); // backoff elapses → halfOpen; one 30 ms probe → closed
    m = await scrape(server.url);
    expect(m.value(`${P}state`, { ...b, state: 'closed' })).toBe(1);
    expect(m.value(`${P}state`, { ...b, state: 'open' })).toBe(0);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'open', to: 'halfOpen', trigger: 'recoveryDue' })).toBe(1);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'halfOpen', to: 'closed', trigger: 'probe' })).toBe(1);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'succeeded' })).toBe(203);
    expect(m.samples(`${P}next_attempt_timestamp_seconds`)).toEqual([]);
    expect(m.samples(`${P}window_p99_seconds`)).toEqual([]); // the window restarts empty on close
    // The probe is not measured into the window; the histogram keeps the 202 calls of the trip.
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(202);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.5' })).toBe(202);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(0);

    // The long-horizon digest keeps what the window forgot.
    const digest = LatencyDigest.fromJSON(await (await fetch(`${server.url}/digest`)).json());
    expect(digest.count).toBe(202);
    expect(digest.quantile(1)).toBe(350);
    expect(digest.quantile(0.5)).toBe(20);

    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('close() stops the server: the port refuses connections', async () => {
    server = await startMetricsServer({ port: 0, logger: pino({ level: 'silent' }) });
    const { url } = server;
    await scrape(url); // leaves a keep-alive connection that close() must end
    await server.close();
    server = undefined;
    await expect(fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});
