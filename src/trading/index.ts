// Public API of the trading family; re-exported from src/index.ts.
export { createTradingCircuitBreaker, DEFAULT_OPERATION_POLICIES } from './createTradingCircuitBreaker.js';
export { TradingCircuitBreaker, type TryClient } from './TradingCircuitBreaker.js';
export type { OperationPolicy, TradingCircuitBreakerOptions } from './TradingCircuitBreakerOptions.js';
export { BreakerRegistry } from './BreakerRegistry.js';
export { toHealthCheck, type HealthChecker } from './HealthChecker.js';
export { PingHealthChecker, type PingHealthCheckerOptions, type PingResult } from './PingHealthChecker.js';
