import type { BreakerStats } from '../breaker/BreakerStats.js';
import type { StateChange } from '../breaker/StateChange.js';
import { toJsonSafe } from './toJsonSafe.js';

/**
 * What travels over the inspector's WebSocket, as JSON. The `@xstate.*` messages use the same shape as
 * `@statelyai/inspect`'s WebSocket inspector (so either can feed the viewer); the `p99-breaker.*` ones
 * carry what the statechart alone does not: the window's P99 against its threshold, and transitions with
 * their reasons.
 *
 * @example
 * ```ts
 * const message: InspectorMessage = { type: 'p99-breaker.stateChange', change };
 * socket.send(JSON.stringify(message));
 * ```
 */
export type InspectorMessage =
  | {
      readonly type: '@xstate.snapshot';
      readonly sessionId: string;
      readonly rootId?: string | undefined;
      readonly snapshot: { readonly status?: string; readonly value?: unknown; readonly context?: unknown };
      readonly event?: unknown;
    }
  | { readonly type: '@xstate.event'; readonly sessionId: string; readonly rootId?: string | undefined; readonly sourceId?: string | undefined; readonly event: unknown }
  | { readonly type: '@xstate.actor'; readonly sessionId: string; readonly rootId?: string | undefined; readonly name?: string | undefined; readonly parentId?: string | undefined }
  | { readonly type: 'p99-breaker.stats'; readonly breaker: string; readonly latencyThresholdMs: number; readonly stats: BreakerStats }
  | { readonly type: 'p99-breaker.stateChange'; readonly change: StateChange };

/**
 * The `type`s an inspector server accepts from a producer; a message of any other type is dropped.
 *
 * @example
 * ```ts
 * INSPECTOR_MESSAGE_TYPES.has('p99-breaker.stats'); // true
 * ```
 */
export const INSPECTOR_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  '@xstate.snapshot',
  '@xstate.event',
  '@xstate.actor',
  'p99-breaker.stats',
  'p99-breaker.stateChange',
]);

interface ActorRefLike {
  readonly sessionId?: unknown;
  readonly id?: unknown;
  readonly _parent?: { readonly sessionId?: unknown } | undefined;
}

/**
 * Turns one XState inspection event (what `createActor(machine, { inspect })` calls back with) into a
 * JSON-safe {@link InspectorMessage}: actor references become session ids, context and events are copied
 * with {@link toJsonSafe}. Microsteps and actions are dropped (the viewer draws states, not steps), and so
 * is anything that is not an inspection event. Never throws.
 *
 * @example
 * ```ts
 * createActor(machine, { inspect: (e) => { const m = toInspectionMessage(e); if (m) socket.send(JSON.stringify(m)); } });
 * ```
 */
export function toInspectionMessage(event: unknown): InspectorMessage | undefined {
  try {
    if (typeof event !== 'object' || event === null) return undefined;
    const e = event as { type?: unknown; actorRef?: ActorRefLike; rootId?: unknown; sourceRef?: ActorRefLike; event?: unknown; snapshot?: unknown };
    const sessionId = typeof e.actorRef?.sessionId === 'string' ? e.actorRef.sessionId : undefined;
    if (sessionId === undefined) return undefined;
    const rootId = typeof e.rootId === 'string' ? e.rootId : undefined;
    switch (e.type) {
      case '@xstate.snapshot': {
        const s = (e.snapshot ?? {}) as { status?: unknown; value?: unknown; context?: unknown };
        return {
          type: '@xstate.snapshot',
          sessionId,
          rootId,
          snapshot: {
            ...(typeof s.status === 'string' ? { status: s.status } : {}),
            ...(s.value === undefined ? {} : { value: toJsonSafe(s.value) }),
            ...(s.context === undefined ? {} : { context: toJsonSafe(s.context) }),
          },
          event: toJsonSafe(e.event),
        };
      }
      case '@xstate.event':
        return {
          type: '@xstate.event',
          sessionId,
          rootId,
          sourceId: typeof e.sourceRef?.sessionId === 'string' ? e.sourceRef.sessionId : undefined,
          event: toJsonSafe(e.event),
        };
      case '@xstate.actor':
        return {
          type: '@xstate.actor',
          sessionId,
          rootId,
          name: typeof e.actorRef?.id === 'string' ? e.actorRef.id : undefined,
          parentId: typeof e.actorRef?._parent?.sessionId === 'string' ? e.actorRef._parent.sessionId : undefined,
        };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
