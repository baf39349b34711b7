import { describe, expect, it } from 'vitest';
import { isCircuitOpenError } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { failCalls, NodeDown, timedCall } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

class OrderRejected extends Error {
  override readonly name = 'OrderRejected';
}
const isFailure = (e: unknown): boolean => !(e instanceof OrderRejected);

describe("the operation's own result", () => {
  it('rethrows the operation’s error as the same object, never wrapped', async () => {
    const { breaker } = harness();
    const error = new NodeDown('503');
    const o = await outcome(breaker.execute(() => Promise.reject(error)));
    expect(o).toEqual({ ok: false, error });
    expect((o as { error: unknown }).error).toBe(error);
    expect(isCircuitOpenError((o as { error: unknown }).error)).toBe(false);
    expect(breaker.stats().counts.failed).toBe(1);
  });

  it.each([['a string', 'boom'], ['a number', 42], ['undefined', undefined], ['a plain object', { code: 'E' }]])(
    'rethrows a non-Error rejection (%s) untouched and counts it as a failure',
    async (_label, thrown) => {
      const { breaker } = harness();
      const o = await outcome(breaker.execute(() => Promise.reject(thrown)));
      expect(o.ok).toBe(false);
      expect((o as { error: unknown }).error).toBe(thrown);
      expect(breaker.stats().counts.failed).toBe(1);
    },
  );

  it('turns a synchronous throw into a rejection with the same error, counted as a failure', async () => {
    const { breaker } = harness();
    const error = new TypeError('bad order');
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = breaker.execute(() => {
        throw error;
      });
    }).not.toThrow();
    await expect(call).rejects.toBe(error);
    expect(breaker.stats().counts.failed).toBe(1);
    expect(breaker.stats().consecutiveFailures).toBe(1);
  });

  it('opens after 5 synchronous throws in a row', async () => {
    const { breaker } = harness();
    for (let i = 0; i < 5; i++) {
      await outcome(
        breaker.execute(() => {
          throw new Error(`sync ${i}`);
        }),
      );
    }
    expect(breaker.state).toBe('open');
  });

  it('resolves with a plain (non-promise) return value and with a thenable', async () => {
    const { breaker } = harness();
    expect(await breaker.execute(() => 7)).toBe(7);
    const thenable: PromiseLike<string> = { then: (ok) => Promise.resolve(ok?.('via thenable')) as never };
    expect(await breaker.execute(() => thenable)).toBe('via thenable');
    expect(breaker.stats().counts.succeeded).toBe(2);
  });

  it("tryExecute rejects with the operation's own error (only refusals are returned)", async () => {
    const { breaker } = harness();
    const error = new NodeDown('x');
    await expect(breaker.tryExecute(() => Promise.reject(error))).rejects.toBe(error);
  });
});

describe('isFailure: business rejections', () => {
  it('rethrows a business rejection untouched and counts it as a success (the node answered)', async () => {
    const { breaker } = harness({ isFailure });
    const rejection = new OrderRejected('insufficient margin');
    const o = await outcome(breaker.execute(() => Promise.reject(rejection)));
    expect((o as { error: unknown }).error).toBe(rejection);
    expect(breaker.stats()).toMatchObject({
      errorRate: 0,
      consecutiveFailures: 0,
      samples: 1,
      counts: { succeeded: 1, failed: 0, businessRejected: 1 },
    });
  });

  it('never trips, however many business rejections arrive', async () => {
    const { breaker, clock } = harness({ isFailure });
    for (let i = 0; i < 300; i++) await timedCall(breaker, clock, 5, new OrderRejected('rejected'));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().counts).toMatchObject({ succeeded: 300, failed: 0, businessRejected: 300 });
  });

  it('breaks a failure streak like a success does', async () => {
    const { breaker, clock } = harness({ isFailure });
    await failCalls(breaker, 4);
    await timedCall(breaker, clock, 5, new OrderRejected('rejected'));
    await failCalls(breaker, 4);
    expect(breaker.state).toBe('closed');
  });

  it('still counts other errors as failures', async () => {
    const { breaker } = harness({ isFailure });
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
  });

  it('a business rejection as a half-open probe closes the circuit', async () => {
    const { breaker, clock } = harness({ isFailure });
    await failCalls(breaker, 5);
    clock.increment(30_000);
    const o = await timedCall(breaker, clock, 20, new OrderRejected('price moved'));
    expect(o.ok).toBe(false);
    expect(breaker.state).toBe('closed');
  });

  it('an isFailure that throws counts the error as a failure and reports it to the logger', async () => {
    const predicateError = new Error('predicate bug');
    const { breaker, logger } = harness({
      isFailure: () => {
        throw predicateError;
      },
    });
    const error = new NodeDown('503');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.stats().counts.failed).toBe(1);
    expect(logger.at('error').some((e) => e.fields.err === predicateError)).toBe(true);
  });
});
