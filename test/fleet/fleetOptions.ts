/** Shared settings of the child-process fleet tests: small thresholds and timeouts on the real clock. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { CircuitBreakerOptions } from '../../src/config/CircuitBreakerOptions.js';

/**
 * Breaker options of every instance: trips on P99 > 100 ms over 10+ samples, recovers after 300 ms. The
 * threshold is far above the healthy venue's 1 ms so that a busy CI machine's event-loop stalls do not trip
 * an instance by themselves; the storm's calls take {@link STORM_MS}.
 */
export const BREAKER: CircuitBreakerOptions = {
  latencyThresholdMs: 100,
  windowSize: 20,
  minimumSamples: 10,
  failureThreshold: 1_000,
  errorRateThreshold: 1,
  recoveryTimeoutMs: 300,
  halfOpenRequests: 3,
  halfOpenTimeoutMs: 2_000,
  recovery: { baseDelayMs: 50, maxDelayMs: 5_000, multiplier: 2, jitterFactor: 0 },
};

export const redisUrl = (): string => inject('redisUrl') ?? process.env.REDIS_URL!;

/** A fleet name no other test uses, so tests sharing the Redis server never see each other. */
export const uniqueFleet = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

/** Latency of the storm's calls: well over the threshold. */
export const STORM_MS = 150;
