/**
 * p99-breaker: a latency-aware circuit breaker for trading venues and RPC nodes.
 *
 * @packageDocumentation
 */
export { createCircuitBreaker } from './breaker/createCircuitBreaker.js';
export type {
  CircuitBreaker,
  ExecuteOptions,
  FleetUpdate,
  LatencySample,
  ManualControl,
  TryResult,
} from './breaker/CircuitBreaker.js';
export type { BreakerState } from './breaker/BreakerState.js';
export type { BreakerStats, CallCounts } from './breaker/BreakerStats.js';
export type { BreakerSnapshot } from './breaker/BreakerSnapshot.js';
export type { StateChange } from './breaker/StateChange.js';
export type { ManualAction, TransitionReason, TransitionTrigger } from './breaker/TransitionReason.js';
export { CircuitOpenError, isCircuitOpenError } from './errors/CircuitOpenError.js';
export { ConfigError, isConfigError, type ConfigProblem } from './errors/ConfigError.js';
export type { CircuitBreakerOptions, RecoveryOptions } from './config/CircuitBreakerOptions.js';
export { DEFAULTS } from './config/resolveOptions.js';
export { computeBackoffDelay, type BackoffOptions } from './backoff.js';
export { LatencyWindow } from './window/LatencyWindow.js';
export { InFlightTracker } from './window/InFlightTracker.js';
export { p99Rank, p99ExceedsThreshold } from './window/nearestRank.js';
export { realClock, defaultRandom, type Clock } from './Clock.js';
export { consoleLogger, type Logger } from './Logger.js';
export { createBreakerMachine } from '../machines/breakerMachine.js';
export type {
  BreakerContext,
  BreakerEnvironment,
  BreakerEvent,
  BreakerMachine,
  RecoveryCoordinator,
  TripSignals,
} from '../machines/breakerMachine.js';
export * from './trading/index.js';
export * from './metrics/index.js';
export * from './persistence/index.js';
export * from './fleet/index.js';
export * from './inspect/index.js';
