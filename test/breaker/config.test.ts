import { describe, expect, it } from 'vitest';
import { ConfigError, createCircuitBreaker, isConfigError, type CircuitBreakerOptions } from '../../src/index.js';
import { CountingClock } from '../support/CountingClock.js';

/** Runs `createCircuitBreaker` and returns the ConfigError it must throw. */
function configErrorOf(options: unknown): ConfigError {
  try {
    createCircuitBreaker(options as CircuitBreakerOptions).dispose();
  } catch (e) {
    if (isConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('invalid options: one ConfigError listing every problem', () => {
  it('lists every problem at once, each with the option name and the value given', () => {
    const e = configErrorOf({
      failureThreshold: -1,
      latencyThresholdMs: Number.NaN,
      errorRateThreshold: 1.5,
      windowSize: 10.5,
      halfOpenRequests: 2.5,
      recoveryTimeoutMs: -30_000,
      healthCheckTimeoutMs: Number.POSITIVE_INFINITY,
      recovery: { baseDelayMs: 5_000, maxDelayMs: 1_000, jiter: 0.1 },
      latencyThreshold: 200,
    });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConfigError');
    const byOption = new Map(e.problems.map((p) => [p.option, p.value]));
    expect([...byOption.keys()].sort()).toEqual(
      [
        'failureThreshold',
        'latencyThresholdMs',
        'errorRateThreshold',
        'windowSize',
        'halfOpenRequests',
        'recoveryTimeoutMs',
        'healthCheckTimeoutMs',
        'recovery.maxDelayMs',
        'recovery.jiter',
        'latencyThreshold',
      ].sort(),
    );
    expect(byOption.get('failureThreshold')).toBe(-1);
    expect(Number.isNaN(byOption.get('latencyThresholdMs'))).toBe(true);
    expect(byOption.get('errorRateThreshold')).toBe(1.5);
    expect(byOption.get('windowSize')).toBe(10.5);
    expect(byOption.get('halfOpenRequests')).toBe(2.5);
    expect(byOption.get('recovery.maxDelayMs')).toBe(1_000);
    expect(byOption.get('latencyThreshold')).toBe(200);
    for (const p of e.problems) {
      expect(e.message).toContain(p.option);
      expect(p.expected.length).toBeGreaterThan(0);
    }
    expect(e.message).toContain('NaN');
    expect(e.message).toContain('1.5');
  });

  it.each([
    ['failureThreshold', -5],
    ['failureThreshold', 0],
    ['failureThreshold', 2.5],
    ['latencyThresholdMs', -1],
    ['latencyThresholdMs', Number.NaN],
    ['errorRateThreshold', -0.1],
    ['errorRateThreshold', 1.01],
    ['errorRateThreshold', Number.NaN],
    ['windowSize', 0],
    ['windowSize', 99.5],
    ['minimumSamples', 3.3],
    ['minimumSamples', 2_000],
    ['recoveryTimeoutMs', Number.NaN],
    ['halfOpenRequests', 0],
    ['halfOpenTimeoutMs', -10],
    ['healthCheckTimeoutMs', Number.NaN],
    ['name', ''],
    ['healthCheck', 'http://node/health'],
    ['isFailure', true],
    ['clock', { now: () => 0 }],
    ['random', 0.5],
    ['logger', console.log],
    ['failureThreshold', '5'],
  ])('rejects %s = %s', (option, value) => {
    const e = configErrorOf({ [option]: value });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]!.option).toBe(option);
    expect(Object.is(e.problems[0]!.value, value)).toBe(true);
  });

  it.each([
    ['baseDelayMs', -1],
    ['maxDelayMs', Number.NaN],
    ['multiplier', 0.5],
    ['jitterFactor', 1.5],
    ['jitterFactor', -0.1],
  ])('rejects recovery.%s = %s', (option, value) => {
    const e = configErrorOf({ recovery: { [option]: value } });
    expect(e.problems.map((p) => p.option)).toContain(`recovery.${option}`);
  });

  it('rejects maxDelayMs < baseDelayMs', () => {
    const e = configErrorOf({ recovery: { baseDelayMs: 2_000, maxDelayMs: 1_999 } });
    expect(e.problems).toEqual([expect.objectContaining({ option: 'recovery.maxDelayMs', value: 1_999 })]);
  });

  it('rejects unknown keys, at the top level and in recovery (typos must not be ignored)', () => {
    const e = configErrorOf({ failureTreshold: 3, recovery: { maxDelay: 1 } });
    expect(e.problems.map((p) => [p.option, p.value])).toEqual(
      expect.arrayContaining([
        ['failureTreshold', 3],
        ['recovery.maxDelay', 1],
      ]),
    );
  });

  it('is thrown before any timer is set, and never mutates the caller’s options', () => {
    const clock = new CountingClock();
    const options = Object.freeze({ clock, windowSize: -1 });
    expect(() => createCircuitBreaker(options)).toThrow(ConfigError);
    expect(clock.setCount).toBe(0);
    const valid = Object.freeze({ clock, failureThreshold: 3, recovery: Object.freeze({ multiplier: 3 }) });
    const b = createCircuitBreaker(valid);
    expect(valid).toEqual({ clock, failureThreshold: 3, recovery: { multiplier: 3 } });
    b.dispose();
  });

  it('accepts no options at all, and every documented option at its edge', () => {
    createCircuitBreaker().dispose();
    createCircuitBreaker({
      name: 'edge',
      failureThreshold: 1,
      latencyThresholdMs: 0,
      errorRateThreshold: 0,
      windowSize: 1,
      minimumSamples: 1,
      recoveryTimeoutMs: 0,
      halfOpenRequests: 1,
      halfOpenTimeoutMs: 1,
      recovery: { baseDelayMs: 0, maxDelayMs: 0, multiplier: 1, jitterFactor: 1 },
      healthCheck: async () => true,
      healthCheckTimeoutMs: 1,
      isFailure: () => true,
      clock: new CountingClock(),
      random: () => 0,
      logger: { info() {}, warn() {}, error() {} },
    }).dispose();
  });

  it('accepts minimumSamples 0 and latencyThresholdMs Infinity (the P99 rule off)', () => {
    const b = createCircuitBreaker({ minimumSamples: 0, latencyThresholdMs: Infinity, clock: new CountingClock() });
    expect(b.stats().latencyThresholdMs).toBe(Infinity);
    b.dispose();
    expect(configErrorOf({ minimumSamples: -1 }).problems.map((p) => p.option)).toEqual(['minimumSamples']);
    expect(configErrorOf({ latencyThresholdMs: -Infinity }).problems.map((p) => p.option)).toEqual(['latencyThresholdMs']);
  });

  it('isConfigError tells a ConfigError from other values', () => {
    expect(isConfigError(configErrorOf({ windowSize: 0 }))).toBe(true);
    expect(isConfigError(new ConfigError([{ option: 'x', value: 1, expected: 'y' }]))).toBe(true);
    expect(isConfigError(new Error('ConfigError'))).toBe(false);
    expect(isConfigError({ name: 'ConfigError', problems: [] })).toBe(false);
    expect(isConfigError(null)).toBe(false);
    expect(isConfigError(undefined)).toBe(false);
    expect(isConfigError('ConfigError')).toBe(false);
  });

  it('rejects options that are not an object', () => {
    expect(() => createCircuitBreaker(42 as never)).toThrow(ConfigError);
    expect(() => createCircuitBreaker([] as never)).toThrow(ConfigError);
  });
});
