import { and, fromPromise, not, setup } from 'xstate';

/**
 * A small machine that uses every construct the exporter draws: root-level `on`, a guard with params,
 * `and`/`not`, a targetless transition, `reenter`, an invoked actor's onDone/onError, named and numeric
 * `after`, `always`, a compound state's `onDone`, and a key (`idle`) used at two depths.
 */
export const fixtureMachine = setup({
  types: { events: {} as { type: 'GO' } | { type: 'STOP' } | { type: 'PING' } },
  actors: { fetchQuote: fromPromise(async () => 1) },
  guards: {
    withinLimit: (_: unknown, params: { limitMs: number }) => params.limitMs > 0,
    ready: () => true,
    stale: () => false,
  },
  actions: { log: (_: unknown, _params: { level: string }) => {}, count: () => {} },
  delays: { grace: 1000 },
}).createMachine({
  id: 'fixture',
  description: 'Stop works from anywhere.',
  initial: 'idle',
  on: { STOP: '.stopped' },
  states: {
    idle: {
      description: 'Waits for GO.',
      on: {
        GO: [
          { guard: { type: 'withinLimit', params: { limitMs: 200 } }, target: 'busy' },
          { target: 'idle', reenter: true, actions: { type: 'log', params: { level: 'warn' } } },
        ],
        PING: { actions: 'count', description: 'Counted, nothing else.' },
      },
    },
    busy: {
      initial: 'fetching',
      onDone: 'idle',
      states: {
        fetching: {
          invoke: {
            src: 'fetchQuote',
            onDone: { target: 'done', guard: and(['ready', not('stale')]) },
            onError: '#fixture.idle',
          },
          after: { grace: 'idle', 500: 'done' },
        },
        idle: { always: { guard: 'ready', target: 'done' } },
        done: { type: 'final' },
      },
    },
    stopped: {},
  },
});
