/**
 * The circuit breaker's lifecycle as one XState v5 statechart. It reads like the diagram in
 * `docs/state-diagram.md`, which is generated from it.
 *
 * The machine is pure: no timers, no I/O, no RxJS. What it needs from the world comes through
 * {@link BreakerEnvironment}: the clock's `now`, the jitter source, the latency window's answers, the
 * health check, and (in a fleet) the recovery lease. Latency never enters the machine on the hot path;
 * only outcomes that can change a guard's answer are sent to it.
 */
import { and, assign, fromPromise, setup } from 'xstate';
import { computeBackoffDelay, type BackoffOptions } from '../src/backoff.js';
import type { ManualAction, TransitionReason } from '../src/breaker/TransitionReason.js';

/** What the trip guards ask: the window's exact answers (see `src/window/LatencyWindow.ts`). */
export interface TripSignals {
  /** Failures in a row among completed calls. */
  consecutiveFailures(): number;
  /** Samples the P99 rule judges, counting `inFlightSlow` overdue calls. */
  samples(inFlightSlow: number): number;
  /** Exact test: nearest-rank P99 of the window (plus `inFlightSlow` overdue calls) > threshold. */
  p99Exceeded(inFlightSlow: number): boolean;
  /** The P99 value in ms for the reason (computed only when tripping). */
  p99Ms(inFlightSlow: number): number;
  /** Samples in the window (completed calls only). */
  completedSamples(): number;
  /** Failures / samples of the window. */
  errorRate(): number;
}

/** Thresholds and timeouts the machine's guards and delays use. */
export interface MachineSettings {
  readonly failureThreshold: number;
  readonly latencyThresholdMs: number;
  readonly errorRateThreshold: number;
  readonly minimumSamples: number;
  readonly halfOpenTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly recovery: BackoffOptions;
}

/** Everything the machine needs from outside, injected by `src/` (and by tests). */
export interface BreakerEnvironment {
  readonly settings: MachineSettings;
  now(): number;
  random(): number;
  readonly window: TripSignals;
  /** Runs the configured health check; resolves to anything but `false` when healthy. */
  readonly healthCheck: ((signal: AbortSignal) => unknown) | undefined;
  /** In a fleet: asks for the recovery lease. `undefined` when the breaker recovers on its own. */
  recoveryCoordinator(): RecoveryCoordinator | undefined;
}

/** Decides which instance of a fleet runs the recovery (health check and probes). */
export interface RecoveryCoordinator {
  /** Resolves `true` when this instance holds the recovery lease and may recover now. Never rejects. */
  claimRecovery(): Promise<boolean>;
  /** How long to stand by before asking again, in ms. */
  readonly standByMs: number;
}

/** Serializable context: numbers, strings and plain reasons only. */
export interface BreakerContext {
  /** Failed recovery attempts since the last close (k in the backoff formula). */
  readonly attempt: number;
  /** Why the breaker is in its current state. */
  readonly reason: TransitionReason;
  /** When the current stay in open ends and recovery starts (clock ms), or null. */
  readonly nextAttemptAt: number | null;
  /** Who forced the breaker open or disabled it, if anyone. */
  readonly manual: { readonly action: ManualAction; readonly by: string; readonly why: string } | null;
}

/** Who used a manual control and why; both are written to the audit log. */
export interface ManualCommand {
  readonly by: string;
  readonly why: string;
}

/** Events the breaker sends to its machine. Every one carries the clock time it happened at. */
export type BreakerEvent =
  /** A closed-state outcome made a trip rule true (the hot path only sends this then). */
  | { readonly type: 'WINDOW_UPDATED'; readonly at: number; readonly inFlightSlow: number }
  /** The first probe of this half-open episode was admitted: its timeout starts. */
  | { readonly type: 'PROBE_ADMITTED'; readonly at: number }
  /** A half-open probe settled. `ok` is false when it failed by `isFailure`. */
  | { readonly type: 'PROBE_SETTLED'; readonly at: number; readonly ok: boolean; readonly latencyMs: number }
  /** Every admitted probe was abandoned by its caller (aborted) without a result. */
  | { readonly type: 'PROBES_ABANDONED'; readonly at: number }
  | ({ readonly type: 'FORCE_OPEN'; readonly at: number } & ManualCommand)
  | ({ readonly type: 'FORCE_CLOSE'; readonly at: number } & ManualCommand)
  | ({ readonly type: 'DISABLE'; readonly at: number } & ManualCommand)
  | ({ readonly type: 'RESET'; readonly at: number } & ManualCommand)
  /** Another instance of the fleet opened this breaker until `until` (this clock's ms). */
  | { readonly type: 'FLEET_OPEN'; readonly at: number; readonly until: number; readonly instance: string; readonly cause: TransitionReason | null }
  /** The fleet's recovering instance closed this breaker. */
  | { readonly type: 'FLEET_CLOSED'; readonly at: number; readonly instance: string }
  /** Sent once after restoring a persisted snapshot: re-arms the timers XState does not persist. */
  | { readonly type: 'RESUME'; readonly at: number };

/** Input of the machine: where to start. */
export interface BreakerInput {
  readonly reason?: TransitionReason;
}

const initialContext = (input: BreakerInput | undefined): BreakerContext => ({
  attempt: 0,
  reason: input?.reason ?? { trigger: 'created' },
  nextAttemptAt: null,
  manual: null,
});

/**
 * Builds the breaker's statechart bound to one environment. Each breaker has its own, because its guards
 * ask its own window.
 *
 * @example
 * ```ts
 * import { createActor, SimulatedClock } from 'xstate';
 * const clock = new SimulatedClock();
 * const actor = createActor(createBreakerMachine(environment), { clock }).start();
 * actor.send({ type: 'FORCE_OPEN', at: clock.now(), by: 'desk', why: 'venue halted' });
 * ```
 */
export function createBreakerMachine(env: BreakerEnvironment) {
  const s = env.settings;

  return setup({
    types: {
      context: {} as BreakerContext,
      events: {} as BreakerEvent,
      input: {} as BreakerInput,
    },
    actors: {
      healthCheck: fromPromise<unknown>(async ({ signal }) => {
        const check = env.healthCheck;
        return check === undefined ? true : await check(signal);
      }),
      recoveryClaim: fromPromise<boolean>(async () => {
        const coordinator = env.recoveryCoordinator();
        if (coordinator === undefined) return true;
        try {
          return (await coordinator.claimRecovery()) === true;
        } catch {
          return true; // a coordinator that fails must never keep the breaker open: recover locally
        }
      }),
    },
    guards: {
      failureStreakReached: () => env.window.consecutiveFailures() >= s.failureThreshold,
      p99Exceeded: ({ event }) =>
        event.type === 'WINDOW_UPDATED' &&
        env.window.samples(event.inFlightSlow) >= s.minimumSamples &&
        env.window.p99Exceeded(event.inFlightSlow),
      errorRateExceeded: () =>
        env.window.completedSamples() >= s.minimumSamples &&
        env.window.errorRate() > 0 &&
        env.window.errorRate() >= s.errorRateThreshold,
      hasHealthCheck: () => env.healthCheck !== undefined,
      inFleet: () => env.recoveryCoordinator() !== undefined,
      claimGranted: ({ event }) => (event as { output?: unknown }).output === true,
      healthy: ({ event }) => (event as { output?: unknown }).output !== false,
      probePassed: ({ event }) =>
        event.type === 'PROBE_SETTLED' && event.ok && event.latencyMs <= s.latencyThresholdMs,
    },
    delays: {
      /** The backoff: until the deadline planned on entry to open (re-armed from it after a restore). */
      backoff: ({ context }) => Math.max(0, (context.nextAttemptAt ?? env.now()) - env.now()),
      healthCheckTimeout: () => s.healthCheckTimeoutMs,
      halfOpenTimeout: () => s.halfOpenTimeoutMs,
      standBy: () => env.recoveryCoordinator()?.standByMs ?? s.recovery.baseDelayMs,
    },
    actions: {
      /** Plans the stay in open: the fleet's deadline, or the jittered exponential backoff for attempt k. */
      planRecovery: assign({
        nextAttemptAt: ({ context, event }) =>
          event.type === 'FLEET_OPEN'
            ? event.until
            : env.now() + computeBackoffDelay(context.attempt, s.recovery, env.random),
      }),
      /** A restored deadline never lies further ahead than the longest backoff (a skewed or corrupt clock). */
      capRestoredDeadline: assign({
        nextAttemptAt: ({ context }) =>
          context.nextAttemptAt === null ? null : Math.min(context.nextAttemptAt, env.now() + s.recovery.maxDelayMs),
      }),
      clearDeadline: assign({ nextAttemptAt: null }),
      countFailedAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
      clearRecovery: assign({ attempt: 0, nextAttemptAt: null, manual: null }),
      tripOnStreak: assign({
        reason: () => ({ trigger: 'consecutiveFailures', value: env.window.consecutiveFailures(), threshold: s.failureThreshold }) as const,
      }),
      tripOnP99: assign({
        reason: ({ event }) => {
          const inFlightSlow = event.type === 'WINDOW_UPDATED' ? event.inFlightSlow : 0;
          const valueMs = env.window.p99Ms(inFlightSlow);
          return {
            trigger: 'p99',
            valueMs,
            thresholdMs: s.latencyThresholdMs,
            value: valueMs,
            threshold: s.latencyThresholdMs,
            samples: env.window.samples(inFlightSlow),
            inFlightSlow,
          } as const;
        },
      }),
      tripOnErrorRate: assign({
        reason: () => ({ trigger: 'errorRate', value: env.window.errorRate(), threshold: s.errorRateThreshold, samples: env.window.completedSamples() }) as const,
      }),
      noteRecoveryDue: assign({ reason: ({ context }) => ({ trigger: 'recoveryDue', attempt: context.attempt }) as const }),
      noteHealthy: assign({ reason: { trigger: 'healthCheck', outcome: 'healthy' } as const }),
      noteUnhealthy: assign({
        reason: ({ event }) => {
          if (event.type.startsWith('xstate.error')) {
            return { trigger: 'healthCheck', outcome: 'error', error: describeError((event as { error?: unknown }).error) } as const;
          }
          return { trigger: 'healthCheck', outcome: 'unhealthy' } as const;
        },
      }),
      noteHealthCheckTimeout: assign({ reason: { trigger: 'healthCheck', outcome: 'timeout', timeoutMs: s.healthCheckTimeoutMs } as const }),
      noteProbeResult: assign({
        reason: ({ event }) => {
          const e = event as Extract<BreakerEvent, { type: 'PROBE_SETTLED' }>;
          const outcome = !e.ok ? 'failed' : e.latencyMs > s.latencyThresholdMs ? 'slow' : 'succeeded';
          return { trigger: 'probe', outcome, valueMs: e.latencyMs, thresholdMs: s.latencyThresholdMs } as const;
        },
      }),
      noteProbeTimeout: assign({
        reason: { trigger: 'probe', outcome: 'timeout', valueMs: s.halfOpenTimeoutMs, thresholdMs: s.latencyThresholdMs } as const,
      }),
      noteManual: assign(({ event }) => {
        const e = event as Extract<BreakerEvent, { type: 'FORCE_OPEN' | 'FORCE_CLOSE' | 'DISABLE' | 'RESET' }>;
        const action = manualActionOf(e.type);
        const command = { action, by: e.by, why: e.why };
        return {
          reason: { trigger: 'manual', ...command } as const,
          manual: action === 'forceOpen' || action === 'disable' ? command : null,
          nextAttemptAt: null,
        };
      }),
      noteFleetOpen: assign({
        reason: ({ event }) => {
          const e = event as Extract<BreakerEvent, { type: 'FLEET_OPEN' }>;
          return { trigger: 'fleet', instance: e.instance, until: e.until, cause: e.cause } as const;
        },
      }),
      noteFleetClosed: assign({
        reason: ({ event }) => {
          const e = event as Extract<BreakerEvent, { type: 'FLEET_CLOSED' }>;
          return { trigger: 'fleet', instance: e.instance, until: null, cause: null } as const;
        },
      }),
      noteRestored: assign({ reason: { trigger: 'restored', from: 'halfOpen' } as const }),
    },
  }).createMachine({
    id: 'circuitBreaker',
    description: 'Manual controls apply in every state: a person can force open, force close, disable or reset.',
    context: ({ input }) => initialContext(input),
    initial: 'closed',
    on: {
      FORCE_OPEN: { target: '.forcedOpen', actions: 'noteManual' },
      FORCE_CLOSE: { target: '.closed', actions: 'noteManual' },
      DISABLE: { target: '.disabled', actions: 'noteManual' },
      RESET: { target: '.closed', actions: 'noteManual' },
    },
    states: {
      closed: {
        description: 'Calls flow. Every outcome is measured; the machine hears only outcomes that make a trip rule true.',
        entry: 'clearRecovery',
        on: {
          WINDOW_UPDATED: [
            {
              guard: 'failureStreakReached',
              target: 'open',
              actions: 'tripOnStreak',
              description: 'failureThreshold calls failed in a row',
            },
            {
              guard: 'p99Exceeded',
              target: 'open',
              actions: 'tripOnP99',
              description: 'the window holds ≥ minimumSamples and its nearest-rank P99 > latencyThresholdMs (calls in flight past the threshold count as slow)',
            },
            {
              guard: 'errorRateExceeded',
              target: 'open',
              actions: 'tripOnErrorRate',
              description: 'the window holds ≥ minimumSamples and failures / samples ≥ errorRateThreshold (at least one failure)',
            },
          ],
          FLEET_OPEN: { target: 'open', actions: 'noteFleetOpen', description: 'another instance of the fleet opened this breaker until its deadline' },
        },
      },
      open: {
        description: 'Every call is refused at once; nothing is sent. Recovery starts when the backoff ends.',
        entry: 'planRecovery',
        initial: 'waiting',
        on: {
          FLEET_OPEN: { target: 'open', reenter: true, actions: 'noteFleetOpen', description: 'the fleet moved the deadline' },
          FLEET_CLOSED: { target: 'closed', actions: 'noteFleetClosed', description: 'the instance that recovered closed the breaker for the fleet' },
        },
        states: {
          waiting: {
            after: {
              backoff: [
                { guard: 'inFleet', target: 'claimingRecovery', description: 'the backoff ended; in a fleet, ask for the recovery lease first' },
                { guard: 'hasHealthCheck', target: 'checkingHealth', description: 'the backoff ended; ask the health check before any live call' },
                { target: '#circuitBreaker.halfOpen', actions: 'noteRecoveryDue', description: 'the backoff ended and there is no health check: admit probes' },
              ],
            },
            on: { RESUME: { target: 'waiting', reenter: true, actions: 'capRestoredDeadline' } },
          },
          claimingRecovery: {
            description: 'In a fleet, only the instance holding the recovery lease runs the health check and probes.',
            invoke: {
              src: 'recoveryClaim',
              onDone: [
                { guard: and(['claimGranted', 'hasHealthCheck']), target: 'checkingHealth' },
                { guard: 'claimGranted', target: '#circuitBreaker.halfOpen', actions: 'noteRecoveryDue' },
                { target: 'standingBy' },
              ],
            },
          },
          standingBy: {
            description: 'Another instance is recovering; wait for its verdict (FLEET_CLOSED / FLEET_OPEN), asking again now and then.',
            after: { standBy: 'claimingRecovery' },
          },
          checkingHealth: {
            description: 'Live orders are never used to find out whether the node is back when a health check can say so.',
            invoke: {
              src: 'healthCheck',
              onDone: [
                { guard: 'healthy', target: '#circuitBreaker.halfOpen', actions: 'noteHealthy', description: 'the health check resolved to anything but false' },
                {
                  target: '#circuitBreaker.open',
                  reenter: true,
                  actions: ['noteUnhealthy', 'countFailedAttempt'],
                  description: 'the health check answered false: open again with the next backoff (k + 1)',
                },
              ],
              onError: {
                target: '#circuitBreaker.open',
                reenter: true,
                actions: ['noteUnhealthy', 'countFailedAttempt'],
                description: 'the health check threw or rejected: open again with the next backoff (k + 1)',
              },
            },
            after: {
              healthCheckTimeout: {
                target: '#circuitBreaker.open',
                reenter: true,
                actions: ['noteHealthCheckTimeout', 'countFailedAttempt'],
                description: 'no answer within healthCheckTimeoutMs (its signal is aborted): open again with k + 1',
              },
            },
          },
        },
      },
      halfOpen: {
        description: 'At most halfOpenRequests probes in flight; one fast success closes, a failure, slow probe or timeout reopens.',
        initial: 'idle',
        entry: 'clearDeadline',
        on: {
          PROBE_SETTLED: [
            {
              guard: 'probePassed',
              target: 'closed',
              actions: 'noteProbeResult',
              description: 'a probe succeeded within latencyThresholdMs: close with a fresh window, streak and backoff',
            },
            {
              target: 'open',
              actions: ['noteProbeResult', 'countFailedAttempt'],
              description: 'a probe failed or was slower than latencyThresholdMs: open again with k + 1',
            },
          ],
          FLEET_OPEN: { target: 'open', actions: 'noteFleetOpen' },
          FLEET_CLOSED: { target: 'closed', actions: 'noteFleetClosed' },
          RESUME: { target: 'open', actions: 'noteRestored' },
        },
        states: {
          idle: {
            on: { PROBE_ADMITTED: 'probing' },
          },
          probing: {
            after: {
              halfOpenTimeout: {
                target: '#circuitBreaker.open',
                actions: ['noteProbeTimeout', 'countFailedAttempt'],
                description: 'no probe succeeded within halfOpenTimeoutMs of the first: open again with k + 1',
              },
            },
            on: { PROBES_ABANDONED: 'idle' },
          },
        },
      },
      forcedOpen: {
        description: 'Kill switch: refused until a person closes or resets it. No automatic recovery.',
      },
      disabled: {
        description: 'Shadow mode: every call goes through and is measured; nothing trips.',
      },
    },
  });
}

/** The machine's type, for typing actors and snapshots. */
export type BreakerMachine = ReturnType<typeof createBreakerMachine>;

function manualActionOf(type: 'FORCE_OPEN' | 'FORCE_CLOSE' | 'DISABLE' | 'RESET'): ManualAction {
  switch (type) {
    case 'FORCE_OPEN':
      return 'forceOpen';
    case 'FORCE_CLOSE':
      return 'forceClose';
    case 'DISABLE':
      return 'disable';
    case 'RESET':
      return 'reset';
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
