// Public API of the metrics family; re-exported from src/index.ts. prom-client is loaded lazily by
// registerBreakerMetrics, so importing this barrel never requires it.
export {
  LatencyDigest,
  mergeLatencyDigests,
  trackLatencyDigest,
  type LatencyDigestJSON,
  type LatencyDigestOptions,
  type LatencyDigestTracker,
  type TrackLatencyDigestOptions,
} from './LatencyDigest.js';
export {
  registerBreakerMetrics,
  DEFAULT_LATENCY_BUCKETS_SECONDS,
  type BreakerMetricsOptions,
  type BreakerMetricsRegistration,
  type BreakerRegistryLike,
} from './registerBreakerMetrics.js';
export type { MeasuredBreaker } from './BreakerMetricSet.js';
