import { describe, expect, it } from 'vitest';
import { createBreakerMachine } from '../../machines/breakerMachine.js';
import { describeMachine } from '../../src/diagram/describeMachine.js';
import { staticBreakerEnvironment } from '../../src/diagram/staticBreakerEnvironment.js';
import { transitionLabel } from '../../src/diagram/transitionLabel.js';
import { fixtureMachine } from './fixtureMachine.js';

const edges = (graph: ReturnType<typeof describeMachine>) =>
  graph.transitions.map((t) => `${t.source || '*'} -> ${t.targets.join(',') || '(stays)'} : ${transitionLabel(t)}`);

describe('describeMachine', () => {
  it('reads every construct of a statechart from machine.root, in definition order', () => {
    const graph = describeMachine(fixtureMachine);
    expect(graph.id).toBe('fixture');
    expect(graph.initial).toBe('idle');
    expect(graph.description).toBe('Stop works from anywhere.');
    expect(graph.states.map((s) => [s.path, s.type, s.initial, s.invokes])).toEqual([
      ['idle', 'atomic', null, []],
      ['busy', 'compound', 'busy.fetching', []],
      ['busy.fetching', 'atomic', null, ['fetchQuote']],
      ['busy.idle', 'atomic', null, []],
      ['busy.done', 'final', null, []],
      ['stopped', 'atomic', null, []],
    ]);
    expect(edges(graph)).toEqual([
      '* -> stopped : STOP',
      'idle -> busy : GO [withinLimit(limitMs: 200)]',
      'idle -> idle : GO [else] (reenter)',
      'idle -> (stays) : PING',
      'busy -> idle : done',
      'busy.fetching -> busy.done : done(fetchQuote) [and(ready, not(stale))]',
      'busy.fetching -> idle : error(fetchQuote)',
      'busy.fetching -> busy.done : after(500ms)',
      'busy.fetching -> busy.idle : after(grace)',
      'busy.idle -> busy.done : always [ready]',
    ]);
  });

  it('keeps action names with their params and transition descriptions', () => {
    const graph = describeMachine(fixtureMachine);
    const reenter = graph.transitions.find((t) => t.reenter)!;
    expect(reenter.actions).toEqual(['log(level: "warn")']);
    const ping = graph.transitions.find((t) => t.trigger.kind === 'event' && t.trigger.eventType === 'PING')!;
    expect(ping).toMatchObject({ targets: [], actions: ['count'], description: 'Counted, nothing else.' });
  });

  it('draws the breaker with the labels the docs promise, built from a static environment', () => {
    const graph = describeMachine(createBreakerMachine(staticBreakerEnvironment));
    const all = edges(graph);
    for (const expected of [
      'closed -> open : WINDOW_UPDATED [failureStreakReached]',
      'closed -> open : WINDOW_UPDATED [p99Exceeded]',
      'closed -> open : WINDOW_UPDATED [errorRateExceeded]',
      'open.waiting -> open.claimingRecovery : after(backoff) [inFleet]',
      'open.waiting -> open.checkingHealth : after(backoff) [hasHealthCheck]',
      'open.waiting -> halfOpen : after(backoff) [else]',
      'open.checkingHealth -> halfOpen : done(healthCheck) [healthy]',
      'open.checkingHealth -> open : error(healthCheck) (reenter)',
      'open.checkingHealth -> open : after(healthCheckTimeout) (reenter)',
      'open.claimingRecovery -> open.checkingHealth : done(recoveryClaim) [and(claimGranted, hasHealthCheck)]',
      'open.standingBy -> open.claimingRecovery : after(standBy)',
      'halfOpen -> closed : PROBE_SETTLED [probePassed]',
      'halfOpen.probing -> open : after(halfOpenTimeout)',
      'open -> open : FLEET_OPEN (reenter)',
      '* -> forcedOpen : FORCE_OPEN',
    ]) {
      expect(all).toContain(expected);
    }
    // every event the breaker sends appears on some edge
    const events = new Set(graph.transitions.flatMap((t) => (t.trigger.kind === 'event' ? [t.trigger.eventType] : [])));
    expect([...events].sort()).toEqual(
      ['WINDOW_UPDATED', 'PROBE_ADMITTED', 'PROBE_SETTLED', 'PROBES_ABANDONED', 'FORCE_OPEN', 'FORCE_CLOSE', 'DISABLE', 'RESET', 'FLEET_OPEN', 'FLEET_CLOSED', 'RESUME'].sort(),
    );
    expect(graph.states.map((s) => s.path)).toEqual([
      'closed', 'open', 'open.waiting', 'open.claimingRecovery', 'open.standingBy', 'open.checkingHealth',
      'halfOpen', 'halfOpen.idle', 'halfOpen.probing', 'forcedOpen', 'disabled',
    ]);
  });

  it('never runs the environment while describing (a throwing environment is fine)', () => {
    const explode = () => {
      throw new Error('executed');
    };
    const env = { ...staticBreakerEnvironment, now: explode, random: explode, recoveryCoordinator: explode };
    expect(() => describeMachine(createBreakerMachine(env))).not.toThrow();
  });
});
