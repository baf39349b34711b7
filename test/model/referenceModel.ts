/**
 * A small reference model of the breaker's rules (issue 2), written from the issue text and independent of
 * `src/` and `machines/`: no import of their logic. The window is a plain array sorted when asked, the
 * error rate is a count, the backoff is the spec's formula, time is a number the model moves itself.
 *
 * It predicts, for a breaker driven one command at a time on a simulated clock: the public state, whether a
 * call is admitted (and as what), the error a refused caller sees, the `stats()` answer, the timers that
 * should be pending, and every state change with its reason, attempt and deadline.
 */

export type PublicState = 'closed' | 'open' | 'halfOpen';

/** Where the model is. `open` and `checkingHealth` and `forcedOpen` all look `open` from outside. */
export type Phase = 'closed' | 'open' | 'checkingHealth' | 'halfOpen' | 'forcedOpen';

/** How a call ends: success, failure, or an error `isFailure` rejects (rethrown, counted as a success). */
export type CallOutcome = 'ok' | 'fail' | 'business';

/** What the scripted health check answers next. */
export type Verdict =
  | { readonly kind: 'healthy'; readonly value: unknown }
  | { readonly kind: 'unhealthy' }
  | { readonly kind: 'throws'; readonly message: string }
  | { readonly kind: 'hangs' };

/** The rules' parameters, as plain numbers. */
export interface ModelConfig {
  readonly failureThreshold: number;
  readonly latencyThresholdMs: number;
  readonly errorRateThreshold: number;
  readonly windowSize: number;
  readonly minimumSamples: number;
  readonly recoveryTimeoutMs: number;
  readonly halfOpenRequests: number;
  readonly halfOpenTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitterFactor: number;
  /** The value the injected random() always returns. */
  readonly randomValue: number;
  readonly hasHealthCheck: boolean;
}

/** A reason as the public API reports it (a plain object, compared structurally). */
export type ModelReason = Readonly<Record<string, unknown>> & { readonly trigger: string };

export interface ExpectedChange {
  readonly from: PublicState;
  readonly to: PublicState;
  readonly reason: ModelReason;
  readonly at: number;
  readonly attempt: number;
  readonly nextAttemptAt: number | null;
}

export type Admission =
  | { readonly admitted: true; readonly ticket: Ticket }
  | { readonly admitted: false; readonly state: PublicState; readonly retryAfterMs: number | null; readonly reason: ModelReason };

/** An admitted call: when it started, and in which stay (a result from an older stay is stale). */
export interface Ticket {
  readonly startedAt: number;
  readonly stay: number;
  readonly probe: boolean;
}

export interface ModelCounts {
  succeeded: number;
  failed: number;
  rejected: number;
  aborted: number;
  slow: number;
  businessRejected: number;
}

interface Sample {
  readonly latencyMs: number;
  readonly failed: boolean;
}

export class ReferenceModel {
  now = 0;
  phase: Phase = 'closed';
  reason: ModelReason = { trigger: 'created' };
  /** Completed closed-state calls, oldest first, at most windowSize. */
  samples: Sample[] = [];
  streak = 0;
  /** Failed recovery attempts since the last close (k). */
  attempt = 0;
  nextAttemptAt: number | null = null;
  /** When a hanging health check times out, while checking. */
  healthDue: number | null = null;
  /** When the probes of this half-open stay time out, once the first one is admitted. */
  probeDue: number | null = null;
  probesInFlight = 0;
  /** Bumped on every announced state change. */
  stay = 0;
  verdict: Verdict = { kind: 'healthy', value: true };
  /** Admitted probes the test holds to resolve by hand later, oldest first (some may be stale by then). */
  readonly held: Ticket[] = [];
  readonly counts: ModelCounts = { succeeded: 0, failed: 0, rejected: 0, aborted: 0, slow: 0, businessRejected: 0 };
  /** State changes not yet compared with the real breaker's. */
  changes: ExpectedChange[] = [];

  constructor(readonly config: ModelConfig) {}

  get state(): PublicState {
    return this.phase === 'closed' ? 'closed' : this.phase === 'halfOpen' ? 'halfOpen' : 'open';
  }

  /** Timers a breaker in this phase must hold: one per deadline the model is waiting for. */
  get pendingTimers(): number {
    if (this.phase === 'open') return 1;
    if (this.phase === 'checkingHealth') return this.healthDue === null ? 0 : 1;
    if (this.phase === 'halfOpen') return this.probeDue === null ? 0 : 1;
    return 0;
  }

  // ------------------------------------------------------------ the rules

  /**
   * The delay before recovery attempt k: clamp(timeout · multiplier^k · (1 + jitter · (2r − 1)), base, max),
   * with r clamped to [0, 1] (NaN counts as 0), and a zero timeout or a zero spread giving 0 before the clamp.
   */
  backoff(k: number): number {
    const c = this.config;
    const r = c.randomValue > 1 ? 1 : c.randomValue >= 0 ? c.randomValue : 0;
    const spread = 1 + c.jitterFactor * (2 * r - 1);
    const raw = c.recoveryTimeoutMs === 0 || spread === 0 ? 0 : c.recoveryTimeoutMs * c.multiplier ** k * spread;
    return Math.min(c.maxDelayMs, Math.max(c.baseDelayMs, raw));
  }

  /** Nearest-rank P99 by sorting: the ⌈0.99·n⌉-th smallest. */
  p99(): number | null {
    const n = this.samples.length;
    if (n === 0) return null;
    const sorted = this.samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    let rank = 1;
    while (rank * 100 < 99 * n) rank++;
    return sorted[rank - 1]!;
  }

  failures(): number {
    return this.samples.filter((s) => s.failed).length;
  }

  errorRate(): number {
    return this.samples.length === 0 ? 0 : this.failures() / this.samples.length;
  }

  // ------------------------------------------------------------ what the world does

  admit(): Admission {
    const c = this.config;
    if (this.phase === 'closed') return { admitted: true, ticket: { startedAt: this.now, stay: this.stay, probe: false } };
    if (this.phase === 'halfOpen' && this.probesInFlight < c.halfOpenRequests) {
      this.probesInFlight++;
      if (this.probeDue === null) this.probeDue = this.now + c.halfOpenTimeoutMs;
      return { admitted: true, ticket: { startedAt: this.now, stay: this.stay, probe: true } };
    }
    this.counts.rejected++;
    if (this.phase === 'halfOpen') return { admitted: false, state: 'halfOpen', retryAfterMs: 0, reason: this.reason };
    const retryAfterMs = this.nextAttemptAt === null ? null : Math.max(0, this.nextAttemptAt - this.now);
    return { admitted: false, state: 'open', retryAfterMs, reason: this.reason };
  }

  /** An admitted call ends now. Only a call of the current stay can move the breaker. */
  complete(ticket: Ticket, outcome: CallOutcome): void {
    const c = this.config;
    const latencyMs = Math.max(0, this.now - ticket.startedAt); // a latency is never negative
    const failed = outcome === 'fail';
    if (failed) this.counts.failed++;
    else this.counts.succeeded++;
    if (outcome === 'business') this.counts.businessRejected++;
    if (latencyMs > c.latencyThresholdMs) this.counts.slow++;
    if (ticket.stay !== this.stay) return;

    if (ticket.probe) {
      if (this.phase !== 'halfOpen') return;
      this.probesInFlight--;
      const probeReason = (outcome: string): ModelReason => ({ trigger: 'probe', outcome, valueMs: latencyMs, thresholdMs: c.latencyThresholdMs });
      if (!failed && latencyMs <= c.latencyThresholdMs) this.close(probeReason('succeeded'));
      else this.reopen(probeReason(failed ? 'failed' : 'slow'));
      return;
    }

    if (this.phase !== 'closed') return;
    this.samples.push({ latencyMs, failed });
    if (this.samples.length > c.windowSize) this.samples.shift();
    this.streak = failed ? this.streak + 1 : 0;
    const n = this.samples.length;
    const p99 = this.p99()!;
    if (this.streak >= c.failureThreshold) {
      this.trip({ trigger: 'consecutiveFailures', value: this.streak, threshold: c.failureThreshold });
    } else if (n >= c.minimumSamples && p99 > c.latencyThresholdMs) {
      this.trip({ trigger: 'p99', valueMs: p99, thresholdMs: c.latencyThresholdMs, value: p99, threshold: c.latencyThresholdMs, samples: n, inFlightSlow: 0 });
    } else if (n >= c.minimumSamples && this.failures() > 0 && this.errorRate() >= c.errorRateThreshold) {
      // the error-rate rule needs at least one failure: a threshold of 0 does not trip a window of successes
      this.trip({ trigger: 'errorRate', value: this.errorRate(), threshold: c.errorRateThreshold, samples: n });
    }
  }

  /** Time passes until `target`; every deadline on the way fires at its own time. */
  advanceTo(target: number): void {
    for (;;) {
      const due = this.nextDeadline();
      if (due === null || due > target) break;
      this.now = due;
      this.fireDeadline();
    }
    this.now = Math.max(this.now, target);
  }

  /** Forcing open is announced even when already forced open (open → open): every manual action is audited. */
  forceOpen(by: string, why: string): void {
    this.announce('forcedOpen', { trigger: 'manual', action: 'forceOpen', by, why }, this.attempt, null, true);
  }

  forceClose(by: string, why: string): void {
    this.close({ trigger: 'manual', action: 'forceClose', by, why });
  }

  // ------------------------------------------------------------ transitions

  private nextDeadline(): number | null {
    if (this.phase === 'open') return this.nextAttemptAt;
    if (this.phase === 'checkingHealth') return this.healthDue;
    if (this.phase === 'halfOpen') return this.probeDue;
    return null;
  }

  private fireDeadline(): void {
    const c = this.config;
    if (this.phase === 'halfOpen') {
      this.reopen({ trigger: 'probe', outcome: 'timeout', valueMs: c.halfOpenTimeoutMs, thresholdMs: c.latencyThresholdMs });
    } else if (this.phase === 'checkingHealth') {
      this.reopen({ trigger: 'healthCheck', outcome: 'timeout', timeoutMs: c.healthCheckTimeoutMs });
    } else if (!c.hasHealthCheck) {
      // half-open has no recovery deadline: its only timer is the probe timeout
      this.announce('halfOpen', { trigger: 'recoveryDue', attempt: this.attempt }, this.attempt, null);
    } else {
      const v = this.verdict;
      if (v.kind === 'healthy') this.announce('halfOpen', { trigger: 'healthCheck', outcome: 'healthy' }, this.attempt, null);
      else if (v.kind === 'unhealthy') this.reopen({ trigger: 'healthCheck', outcome: 'unhealthy' });
      else if (v.kind === 'throws') this.reopen({ trigger: 'healthCheck', outcome: 'error', error: `Error: ${v.message}` });
      else {
        this.phase = 'checkingHealth'; // still open from outside: nothing announced
        this.healthDue = this.now + c.healthCheckTimeoutMs;
      }
    }
  }

  private trip(reason: ModelReason): void {
    this.announce('open', reason, this.attempt, this.now + this.backoff(this.attempt));
  }

  /** A failed recovery attempt: open again with k + 1. */
  private reopen(reason: ModelReason): void {
    const k = this.attempt + 1;
    this.announce('open', reason, k, this.now + this.backoff(k));
  }

  /** Closes with a fresh window. Closing a closed breaker by hand is a restart, announced closed → closed. */
  private close(reason: ModelReason): void {
    this.samples = [];
    this.streak = 0;
    this.announce('closed', reason, 0, null, this.phase === 'closed');
  }

  /**
   * Moves to `phase`; announces it when the public state changes, the stay in open is re-planned, or
   * `restart` says so.
   */
  private announce(phase: Phase, reason: ModelReason, attempt: number, nextAttemptAt: number | null, restart = false): void {
    const from = this.state;
    const previousDeadline = this.nextAttemptAt;
    this.phase = phase;
    this.reason = reason;
    this.attempt = attempt;
    this.nextAttemptAt = nextAttemptAt;
    this.healthDue = null;
    this.probeDue = null;
    const to = this.state;
    if (from === to && previousDeadline === nextAttemptAt && !restart) return;
    this.probesInFlight = 0;
    this.stay++;
    this.changes.push({ from, to, reason, at: this.now, attempt, nextAttemptAt });
  }
}
