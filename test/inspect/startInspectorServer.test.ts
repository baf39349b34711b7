import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SimulatedClock } from 'xstate';
import type { Clock } from '../../src/Clock.js';
import { createCircuitBreaker } from '../../src/index.js';
import { startInspectorServer, type InspectorServerOptions } from '../../src/inspect/startInspectorServer.js';
import type { InspectorServer } from '../../src/inspect/InspectorServer.js';
import { streamBreaker } from '../../src/inspect/streamBreaker.js';
import { waitFor } from './localSocketServer.js';

const silent = { info() {}, warn() {}, error() {} };
const fail = () => Promise.reject(new Error('venue down'));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(options: InspectorServerOptions = {}): Promise<InspectorServer> {
  const s = await startInspectorServer({ port: 0, diagramSvg: '<svg id="test-diagram"></svg>', ...options });
  cleanups.push(() => s.close());
  return s;
}

async function viewer(s: InspectorServer): Promise<{ messages: any[]; socket: WebSocket }> {
  const socket = new WebSocket(`${s.wsUrl}?role=viewer`);
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  cleanups.push(() => socket.terminate());
  return { messages, socket };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('startInspectorServer', () => {
  it('serves the page, its script, style and the statechart on 127.0.0.1 under a strict CSP', async () => {
    const s = await server();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/`);
    expect(s.wsUrl).toBe(`ws://127.0.0.1:${s.port}/ws`);
    const page = await get(s.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/viewer.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await get(`${s.url}viewer.js`)).body).toContain("'/ws?role=viewer'");
    expect((await get(`${s.url}viewer.css`)).body).toContain('.active');
    expect((await get(`${s.url}diagram.svg`)).body).toBe('<svg id="test-diagram"></svg>');
    expect((await get(`${s.url}nope`)).status).toBe(404);
  });

  it('serves the generated docs/state-diagram.svg by default', async () => {
    const s = await server({ diagramSvg: undefined as never });
    const svg = await get(`${s.url}diagram.svg`);
    expect(svg.body).toContain('id="state:open.waiting"');
  });

  it('refuses a non-loopback bind address, and requests naming another host (DNS rebinding)', async () => {
    await expect(startInspectorServer({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/loopback only/);
    const s = await server();
    expect((await get(s.url, { host: `evil.example:${s.port}` })).status).toBe(421);
    const foreign = new WebSocket(`${s.wsUrl}?role=viewer`, { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => foreign.once('open', resolve).once('error', reject))).rejects.toThrow(/403/);
  });

  it('streams in-process inspection, stats and transitions to viewers, and replays the latest to a late viewer', async () => {
    const s = await server();
    const early = await viewer(s);
    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: silent, inspect: s.inspect });
    cleanups.push(() => breaker.dispose());
    s.attach(breaker, { latencyThresholdMs: 200 });
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});

    await waitFor(() => early.messages.some((m) => m.type === 'p99-breaker.stateChange'), 'a transition');
    expect(early.messages.filter((m) => m.type === 'p99-breaker.stateChange').map((m) => m.change.reason)).toEqual([
      { trigger: 'consecutiveFailures', value: 5, threshold: 5 },
    ]);
    expect(early.messages.find((m) => m.type === 'p99-breaker.stateChange').change).toMatchObject({ breaker: 'venue', from: 'closed', to: 'open' });
    expect(early.messages.some((m) => m.type === '@xstate.snapshot' && JSON.stringify(m.snapshot.value) === '{"open":"waiting"}')).toBe(true);

    const late = await viewer(s);
    await waitFor(() => late.messages.some((m) => m.type === 'p99-breaker.stats'), 'the replayed stats');
    expect(late.messages.map((m) => m.type)).toEqual(['@xstate.snapshot', 'p99-breaker.stateChange', 'p99-breaker.stats']);
    expect(late.messages[0].snapshot.value).toEqual({ open: 'waiting' });
    expect(late.messages[2]).toMatchObject({ breaker: 'venue', latencyThresholdMs: 200, stats: { state: 'open', samples: 5 } });
  });

  it('relays what a producer sends over /ws (the @statelyai/inspect shape), ignoring junk', async () => {
    const s = await server();
    const v = await viewer(s);
    const producer = new WebSocket(s.wsUrl);
    cleanups.push(() => producer.terminate());
    await new Promise((resolve) => producer.once('open', resolve));
    producer.send('not json');
    producer.send(JSON.stringify({ type: 'something.else' }));
    producer.send(JSON.stringify({ type: '@xstate.snapshot', sessionId: 'x:0', rootId: 'x:0', snapshot: { value: 'closed' }, _version: '0.7.2' }));
    await waitFor(() => v.messages.length > 0, 'a relayed message');
    await new Promise((r) => setTimeout(r, 50));
    expect(v.messages).toEqual([{ type: '@xstate.snapshot', sessionId: 'x:0', rootId: 'x:0', snapshot: { value: 'closed' }, _version: '0.7.2' }]);
  });

  it('closes idempotently; after close, inspect and attach do nothing', async () => {
    const s = await server();
    const v = await viewer(s);
    const closed = new Promise((resolve) => v.socket.once('close', resolve));
    await Promise.all([s.close(), s.close()]);
    await closed;
    expect(() => s.inspect({ type: '@xstate.snapshot', actorRef: { sessionId: 'a' }, snapshot: { value: 'closed' } })).not.toThrow();
    const breaker = createCircuitBreaker({ clock: new SimulatedClock(), logger: silent });
    expect(s.attach(breaker)).toBeTypeOf('function');
    breaker.dispose();
    await expect(get(s.url)).rejects.toThrow();
  });
});

describe('streamBreaker', () => {
  /** A clock whose timers are counted, to see what is pending. */
  function countingClock(): Clock & { pending: Set<number>; fire(): void } {
    const pending = new Map<number, () => void>();
    let next = 1;
    return {
      now: () => 0,
      setTimeout: (fn: () => void) => {
        pending.set(next, fn);
        return next++;
      },
      clearTimeout: (h: number) => void pending.delete(h),
      get pending() {
        return new Set(pending.keys());
      },
      fire() {
        for (const [h, fn] of [...pending]) {
          pending.delete(h);
          fn();
        }
      },
    };
  }

  it('throttles stats to one message per interval while calls complete', async () => {
    const clock = countingClock();
    const breaker = createCircuitBreaker({ clock: new SimulatedClock(), logger: silent });
    const sent: any[] = [];
    const stop = streamBreaker(breaker, (m) => sent.push(m), { clock, statsIntervalMs: 100 });
    expect(sent.map((m) => m.type)).toEqual(['p99-breaker.stats']);
    for (let i = 0; i < 50; i++) await breaker.execute(() => i);
    expect(clock.pending.size).toBe(1);
    clock.fire();
    expect(sent.map((m) => m.type)).toEqual(['p99-breaker.stats', 'p99-breaker.stats']);
    expect(sent[1].stats.samples).toBe(50);
    stop();
    breaker.dispose();
  });

  it('leaves nothing pending after the breaker is disposed, and stops sending', async () => {
    const clock = countingClock();
    const breaker = createCircuitBreaker({ clock: new SimulatedClock(), logger: silent });
    const sent: any[] = [];
    streamBreaker(breaker, (m) => sent.push(m), { clock });
    await breaker.execute(() => 1);
    expect(clock.pending.size).toBe(1);
    breaker.dispose();
    expect(clock.pending.size).toBe(0);
    const count = sent.length;
    await breaker.execute(() => 1).catch(() => {});
    expect(sent.length).toBe(count);
  });

  it('a send that throws changes nothing for the breaker', async () => {
    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ clock, random: () => 0.5, logger: silent });
    let calls = 0;
    streamBreaker(breaker, () => {
      calls++;
      throw new Error('socket gone');
    }, { clock });
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(calls).toBeGreaterThan(1);
    breaker.dispose();
  });

  it('sends one last stats message for a breaker that is already disposed, and arms nothing', () => {
    const clock = countingClock();
    const breaker = createCircuitBreaker({ clock: new SimulatedClock(), logger: silent });
    breaker.dispose();
    const sent: any[] = [];
    const stop = streamBreaker(breaker, (m) => sent.push(m), { clock });
    expect(sent.map((m) => m.type)).toEqual(['p99-breaker.stats']);
    expect(clock.pending.size).toBe(0);
    expect(() => stop()).not.toThrow();
  });
});
