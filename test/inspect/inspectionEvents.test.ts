import { createWebSocketInspector } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, type CircuitBreakerOptions } from '../../src/index.js';
import { connectInspector } from '../../src/inspect/connectInspector.js';
import { toInspectionMessage, type InspectorMessage } from '../../src/inspect/InspectorMessage.js';
import { streamBreaker } from '../../src/inspect/streamBreaker.js';
import { startRecordingServer, waitFor } from './localSocketServer.js';

const silent = { info() {}, warn() {}, error() {} };
const fail = () => Promise.reject(new Error('venue down'));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const topState = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]);

describe('inspection over WebSocket', () => {
  it("@statelyai/inspect's createWebSocketInspector receives the breaker's snapshots through the inspect option", async () => {
    const server = await startRecordingServer();
    cleanups.push(server.close);
    const inspector = createWebSocketInspector({ url: server.url });
    cleanups.push(() => inspector.stop());
    const clock = new SimulatedClock();
    // The cast works around a typing gap in CircuitBreakerOptions['inspect'] (its `next` takes `unknown`, so
    // XState's Observer<InspectionEvent> is not assignable under strictFunctionTypes); reported to the lead.
    const inspect = inspector.inspect as CircuitBreakerOptions['inspect'];
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: silent, inspect });
    cleanups.push(() => breaker.dispose());
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');

    const opened = await waitFor(
      () => server.messages.find((m) => m.type === '@xstate.snapshot' && m.snapshot?.value && topState(m.snapshot.value) === 'open'),
      'an open snapshot',
    );
    expect(opened.snapshot.value).toEqual({ open: 'waiting' });
    expect(opened.snapshot.context.reason).toEqual({ trigger: 'consecutiveFailures', value: 5, threshold: 5 });
    expect(server.messages.some((m) => m.type === '@xstate.actor' && m.name === 'circuitBreaker')).toBe(true);
    expect(server.messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'WINDOW_UPDATED')).toBe(true);
  });

  it('connectInspector sends the same kind of events, plus stats and transitions with reasons', async () => {
    const server = await startRecordingServer();
    cleanups.push(server.close);
    const clock = new SimulatedClock();
    const connection = connectInspector(server.url);
    cleanups.push(() => connection.close());
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, recoveryTimeoutMs: 1000, logger: silent, inspect: connection.inspect });
    cleanups.push(() => breaker.dispose());
    const streaming = connectInspector(server.url, breaker, { latencyThresholdMs: 200 });
    cleanups.push(() => streaming.close());
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    clock.increment(1000);
    expect(breaker.state).toBe('halfOpen');

    await waitFor(() => server.messages.some((m) => m.type === '@xstate.snapshot' && topState(m.snapshot.value) === 'halfOpen'), 'a halfOpen snapshot');
    const changes = await waitFor(() => {
      const found = server.messages.filter((m) => m.type === 'p99-breaker.stateChange');
      return found.length === 2 && found;
    }, 'two transitions');
    // the breaker's name travels with each change (it is non-enumerable on StateChange, so sent explicitly)
    expect(changes.map((m: any) => m.change.breaker)).toEqual(['venue', 'venue']);
    expect(changes.map((m: any) => [m.change.from, m.change.to, m.change.reason.trigger])).toEqual([
      ['closed', 'open', 'consecutiveFailures'],
      ['open', 'halfOpen', 'recoveryDue'],
    ]);
    const stats = server.messages.filter((m) => m.type === 'p99-breaker.stats').at(-1);
    expect(stats).toMatchObject({ breaker: 'venue', latencyThresholdMs: 200, stats: { state: 'halfOpen' } });
  });

  it('streamBreaker sends each change with its breaker name through JSON, and defaults the chart limit to the breaker threshold', async () => {
    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, latencyThresholdMs: 150, logger: silent });
    cleanups.push(() => breaker.dispose());
    const wire: InspectorMessage[] = [];
    const stop = streamBreaker(breaker, (m) => wire.push(JSON.parse(JSON.stringify(m)) as InspectorMessage), { clock });
    cleanups.push(stop);
    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    const changes = wire.filter((m) => m.type === 'p99-breaker.stateChange');
    expect(changes.map((m) => m.change)).toEqual([
      { breaker: 'venue', from: 'closed', to: 'open', reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 }, at: 0, attempt: 0, nextAttemptAt: 30_000 },
    ]);
    const stats = wire.filter((m) => m.type === 'p99-breaker.stats');
    expect(stats.length).toBeGreaterThan(0);
    for (const m of stats) expect(m).toMatchObject({ breaker: 'venue', latencyThresholdMs: 150 });
  });

  it('converts inspection events to JSON-safe messages and drops anything else without throwing', () => {
    const cyclic: any = { a: 1 };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter'); } });
    const message = toInspectionMessage({
      type: '@xstate.snapshot',
      rootId: 'x:0',
      actorRef: { sessionId: 'x:0' },
      snapshot: { status: 'active', value: { open: 'waiting' }, context: { cyclic, hostile, fn: () => 1, big: 10n, nan: NaN } },
      event: { type: 'GO', error: new RangeError('bad') },
    });
    expect(message).toEqual({
      type: '@xstate.snapshot',
      sessionId: 'x:0',
      rootId: 'x:0',
      snapshot: { status: 'active', value: { open: 'waiting' }, context: { cyclic: { a: 1, self: '[Circular]' }, hostile: { boom: '[unreadable]' }, big: '10', nan: null } },
      event: { type: 'GO', error: { name: 'RangeError', message: 'bad' } },
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
    expect(toInspectionMessage({ type: '@xstate.microstep', actorRef: { sessionId: 'x' } })).toBeUndefined();
    expect(toInspectionMessage(null)).toBeUndefined();
    expect(toInspectionMessage(new Proxy({}, { get: () => { throw new Error('proxy'); } }))).toBeUndefined();
  });
});
