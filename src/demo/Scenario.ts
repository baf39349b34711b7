/**
 * A demo scenario: a venue whose latency and error behaviour changes phase by phase, and the order flow
 * sent to it. Loaded from JSON with {@link parseScenario}, which names every bad field.
 *
 * @example
 * ```ts
 * const scenario: Scenario = {
 *   name: 'short storm',
 *   orderRatePerSecond: 20,
 *   clientTimeoutMs: 5000,
 *   phases: [
 *     { name: 'normal', durationMs: 60_000, latency: { medianMs: 40, p99Ms: 120 }, errorRate: 0.001 },
 *     { name: 'storm', durationMs: 60_000, latency: { medianMs: 260, p99Ms: 400 }, errorRate: 0.01 },
 *   ],
 * };
 * ```
 */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** Orders submitted per second, at a steady rate. */
  readonly orderRatePerSecond: number;
  /** The trading client's own timeout: a call the venue never answers fails after this many ms. */
  readonly clientTimeoutMs: number;
  /** Breaker options for this scenario (numbers only); everything else keeps the product defaults. */
  readonly breaker?: ScenarioBreakerOptions;
  readonly phases: readonly ScenarioPhase[];
}

/** One phase of the venue's behaviour. */
export interface ScenarioPhase {
  readonly name: string;
  readonly durationMs: number;
  /** Log-normal latency given by its median and P99; absent when the venue hangs. */
  readonly latency?: { readonly medianMs: number; readonly p99Ms: number };
  /** Share of calls the venue answers with an error, in [0, 1]. */
  readonly errorRate?: number;
  /** The venue answers nothing: every call hangs until the client's timeout. */
  readonly hang?: boolean;
}

/** The breaker options a scenario may set. */
export interface ScenarioBreakerOptions {
  readonly latencyThresholdMs?: number;
  readonly failureThreshold?: number;
  readonly errorRateThreshold?: number;
  readonly windowSize?: number;
  readonly minimumSamples?: number;
  readonly recoveryTimeoutMs?: number;
  readonly halfOpenRequests?: number;
  readonly halfOpenTimeoutMs?: number;
  readonly healthCheckTimeoutMs?: number;
  readonly recovery?: { readonly baseDelayMs?: number; readonly maxDelayMs?: number; readonly multiplier?: number; readonly jitterFactor?: number };
}

/**
 * Thrown by {@link parseScenario}: lists every bad field with its JSON path and the value given.
 *
 * @example
 * ```ts
 * try { parseScenario({ phases: [] }); } catch (e) { if (e instanceof ScenarioError) console.error(e.message); }
 * ```
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid scenario:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const BREAKER_KEYS = ['latencyThresholdMs', 'failureThreshold', 'errorRateThreshold', 'windowSize', 'minimumSamples', 'recoveryTimeoutMs', 'halfOpenRequests', 'halfOpenTimeoutMs', 'healthCheckTimeoutMs'];
const RECOVERY_KEYS = ['baseDelayMs', 'maxDelayMs', 'multiplier', 'jitterFactor'];

/**
 * Validates a parsed JSON value as a {@link Scenario}.
 *
 * @throws {@link ScenarioError} listing every problem (`phases[2].latency.p99Ms: expected a number ≥ medianMs, got 10`).
 * @example
 * ```ts
 * const scenario = parseScenario(JSON.parse(readFileSync('storm.json', 'utf8')));
 * ```
 */
export function parseScenario(value: unknown): Scenario {
  const problems: string[] = [];
  const bad = (path: string, expected: string, got: unknown): void => {
    problems.push(`${path}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const unknownKeys = (o: Record<string, unknown>, allowed: readonly string[], path: string): void => {
    for (const key of Object.keys(o)) if (!allowed.includes(key)) bad(`${path}${key}`, 'no such field (unknown key)', o[key]);
  };
  if (!isObject(value)) throw new ScenarioError([`(root): expected an object, got ${JSON.stringify(value)}`]);
  unknownKeys(value, ['name', 'description', 'orderRatePerSecond', 'clientTimeoutMs', 'breaker', 'phases'], '');
  if (typeof value.name !== 'string' || value.name.length === 0) bad('name', 'a non-empty string', value.name);
  if (value.description !== undefined && typeof value.description !== 'string') bad('description', 'a string', value.description);
  if (!positive(value.orderRatePerSecond) || (value.orderRatePerSecond as number) > 1000) bad('orderRatePerSecond', 'a number in (0, 1000]', value.orderRatePerSecond);
  if (!positive(value.clientTimeoutMs)) bad('clientTimeoutMs', 'a positive number of ms', value.clientTimeoutMs);
  if (value.breaker !== undefined) {
    if (!isObject(value.breaker)) bad('breaker', 'an object', value.breaker);
    else {
      unknownKeys(value.breaker, [...BREAKER_KEYS, 'recovery'], 'breaker.');
      for (const key of BREAKER_KEYS) {
        const v = value.breaker[key];
        if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(`breaker.${key}`, 'a non-negative number', v);
      }
      const recovery = value.breaker.recovery;
      if (recovery !== undefined) {
        if (!isObject(recovery)) bad('breaker.recovery', 'an object', recovery);
        else {
          unknownKeys(recovery, RECOVERY_KEYS, 'breaker.recovery.');
          for (const key of RECOVERY_KEYS) {
            const v = recovery[key];
            if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) bad(`breaker.recovery.${key}`, 'a non-negative number', v);
          }
        }
      }
    }
  }
  if (!Array.isArray(value.phases) || value.phases.length === 0) bad('phases', 'a non-empty array', value.phases);
  else {
    value.phases.forEach((phase: unknown, i: number) => {
      const at = `phases[${i}]`;
      if (!isObject(phase)) return bad(at, 'an object', phase);
      unknownKeys(phase, ['name', 'durationMs', 'latency', 'errorRate', 'hang'], `${at}.`);
      if (typeof phase.name !== 'string' || phase.name.length === 0) bad(`${at}.name`, 'a non-empty string', phase.name);
      if (!positive(phase.durationMs)) bad(`${at}.durationMs`, 'a positive number of ms', phase.durationMs);
      if (phase.hang !== undefined && typeof phase.hang !== 'boolean') bad(`${at}.hang`, 'a boolean', phase.hang);
      if (phase.errorRate !== undefined && !(typeof phase.errorRate === 'number' && phase.errorRate >= 0 && phase.errorRate <= 1)) {
        bad(`${at}.errorRate`, 'a number in [0, 1]', phase.errorRate);
      }
      if (phase.hang !== true) {
        const latency = phase.latency;
        if (!isObject(latency)) bad(`${at}.latency`, 'an object { medianMs, p99Ms } (or "hang": true)', latency);
        else {
          unknownKeys(latency, ['medianMs', 'p99Ms'], `${at}.latency.`);
          if (!positive(latency.medianMs)) bad(`${at}.latency.medianMs`, 'a positive number of ms', latency.medianMs);
          if (!positive(latency.p99Ms) || (positive(latency.medianMs) && (latency.p99Ms as number) < (latency.medianMs as number))) {
            bad(`${at}.latency.p99Ms`, 'a number of ms ≥ medianMs', latency.p99Ms);
          }
        }
      }
    });
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return value as unknown as Scenario;
}

/**
 * Total duration of a scenario in ms: the sum of its phases' durations.
 *
 * @example
 * ```ts
 * scenarioDurationMs(scenario); // 120000 for two phases of 60 s
 * ```
 */
export function scenarioDurationMs(scenario: Scenario): number {
  return scenario.phases.reduce((sum, phase) => sum + phase.durationMs, 0);
}
