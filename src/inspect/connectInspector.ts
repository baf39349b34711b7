import { WebSocket } from 'ws';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { realClock } from '../Clock.js';
import { toInspectionMessage, type InspectorMessage } from './InspectorMessage.js';
import { streamBreaker, type StreamBreakerOptions } from './streamBreaker.js';

/** A connection from this process to an inspector server in another one. */
export interface InspectorConnection {
  /** Pass as `createCircuitBreaker({ inspect: connection.inspect })`; never throws. */
  inspect(event: unknown): void;
  /** Stops streaming and closes the socket (after sending what is queued); idempotent. */
  close(): void;
}

/** Messages kept while the socket connects; older ones are dropped first. */
const MAX_QUEUED = 1000;
/** How long a graceful close may take before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Connects to a running inspector (`npx p99-breaker inspect`) from another process, over WebSocket.
 * `url` is the server's `wsUrl` or its page URL. With a `breaker`, also streams its stats and transitions,
 * and closes by itself when that breaker is disposed, so it never keeps the process alive.
 * Messages sent before the socket opens are queued; if the server is unreachable they are dropped.
 *
 * @example
 * ```ts
 * const connection = connectInspector('ws://127.0.0.1:8099/ws');
 * const breaker = createCircuitBreaker({ name: 'venue-rpc', inspect: connection.inspect });
 * const stop = connectInspector('http://127.0.0.1:8099/', breaker); // stats and transitions too
 * ```
 */
export function connectInspector(url: string, breaker?: CircuitBreaker, options?: StreamBreakerOptions): InspectorConnection {
  const socket = new WebSocket(toSocketUrl(url));
  const queue: string[] = [];
  let closed = false;
  // The connection must never keep the process alive: a breaker's inspector is an observer, not a reason to run.
  socket.on('upgrade', (response) => response.socket.unref());
  socket.on('error', () => {
    queue.length = 0; // unreachable or dropped: inspection is best effort
  });
  socket.on('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
    if (closed) closeSocket();
  });

  const send = (message: InspectorMessage): void => {
    if (closed) return;
    const text = JSON.stringify(message);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else if (socket.readyState === WebSocket.CONNECTING) {
      queue.push(text);
      if (queue.length > MAX_QUEUED) queue.shift();
    }
  };
  const closeSocket = (): void => {
    if (socket.readyState === WebSocket.OPEN) {
      socket.close(1000, 'done');
      const timer = realClock.setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      socket.once('close', () => realClock.clearTimeout(timer));
    } else if (socket.readyState === WebSocket.CONNECTING && queue.length === 0) {
      socket.terminate();
    }
    // CONNECTING with a queue: the 'open' handler flushes it, then closes.
  };

  const stop = breaker === undefined ? undefined : streamBreaker(breaker, send, options);
  let unsubscribeDispose: (() => void) | undefined;
  const connection: InspectorConnection = {
    inspect: (event: unknown): void => {
      try {
        const message = toInspectionMessage(event);
        if (message !== undefined) send(message);
      } catch {
        // inspection must never disturb the actor it watches
      }
    },
    close: (): void => {
      if (closed) return;
      stop?.();
      unsubscribeDispose?.();
      closed = true;
      closeSocket();
    },
  };
  if (breaker !== undefined) {
    const subscription = breaker.stateChanges$.subscribe({ complete: () => queueMicrotask(() => connection.close()) });
    unsubscribeDispose = () => subscription.unsubscribe();
  }
  return connection;
}

/** `http://127.0.0.1:8099/` → `ws://127.0.0.1:8099/ws`; a `ws://` URL is kept as given. */
function toSocketUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    parsed.protocol = parsed.protocol === 'http:' ? 'ws:' : 'wss:';
    parsed.pathname = '/ws';
    parsed.search = '';
  }
  return parsed.toString();
}
