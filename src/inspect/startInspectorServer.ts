import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { findStateDiagramSvg } from './findStateDiagramSvg.js';
import { assertLoopbackHost, INSPECTOR_DEFAULTS } from './inspectorDefaults.js';
import type { InspectorServer } from './InspectorServer.js';
import { INSPECTOR_MESSAGE_TYPES, toInspectionMessage, type InspectorMessage } from './InspectorMessage.js';
import { streamBreaker, type StreamBreakerOptions } from './streamBreaker.js';
import { viewerCss, viewerHtml } from './viewerPage.js';
import { viewerScript } from './viewerScript.js';

/** Options of {@link startInspectorServer}. */
export interface InspectorServerOptions {
  /** Loopback address to bind. Defaults to `127.0.0.1`; anything but loopback is refused. */
  readonly host?: string;
  /** TCP port; `0` picks a free one. Defaults to 8099. */
  readonly port?: number;
  /** The statechart SVG to show. Defaults to the package's generated `docs/state-diagram.svg`. */
  readonly diagramSvg?: string;
}

const REPLAY_SESSIONS = 20;
const REPLAY_CHANGES = 30;
const MAX_MESSAGE_BYTES = 1 << 20;

/**
 * Starts the self-hosted inspector: `GET /` is the viewer page, `/ws` its WebSocket. Producers (this
 * process through {@link InspectorServer.inspect} and {@link InspectorServer.attach}, another process through
 * `connectInspector`, or `@statelyai/inspect`'s `createWebSocketInspector`) send JSON messages; viewers
 * (`/ws?role=viewer`) receive them, starting with a replay of the latest snapshot, stats and transitions.
 * Requests whose `Host` (or WebSocket `Origin`) is not this loopback address are refused, so a web page
 * elsewhere cannot read the breaker's state through DNS rebinding.
 *
 * @throws TypeError when `host` is not a loopback address; rejects when the port is taken.
 * @example
 * ```ts
 * const server = await startInspectorServer({ port: 0 });
 * const breaker = createCircuitBreaker({ inspect: server.inspect });
 * server.attach(breaker);
 * // … later
 * breaker.dispose();
 * await server.close();
 * ```
 */
export async function startInspectorServer(options: InspectorServerOptions = {}): Promise<InspectorServer> {
  const host = options.host ?? INSPECTOR_DEFAULTS.host;
  assertLoopbackHost(host);
  const requestedPort = options.port ?? INSPECTOR_DEFAULTS.port;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new TypeError(`port must be an integer in [0, 65535], got ${String(requestedPort)}`);
  }
  const svg = options.diagramSvg ?? (await findStateDiagramSvg());

  const viewers = new Set<WebSocket>();
  const snapshots = new Map<string, InspectorMessage>();
  const stats = new Map<string, InspectorMessage>();
  const changes: InspectorMessage[] = [];
  const detachers = new Set<() => void>();
  let allowedHosts = new Set<string>();
  let policy = '';

  const publish = (message: InspectorMessage, from?: WebSocket): void => {
    remember(message);
    const text = JSON.stringify(message);
    for (const viewer of viewers) if (viewer !== from && viewer.readyState === viewer.OPEN) viewer.send(text);
  };
  const remember = (message: InspectorMessage): void => {
    if (message.type === '@xstate.snapshot' && message.snapshot.value !== undefined) {
      snapshots.delete(message.sessionId);
      snapshots.set(message.sessionId, message);
      if (snapshots.size > REPLAY_SESSIONS) snapshots.delete(snapshots.keys().next().value!);
    } else if (message.type === 'p99-breaker.stats') {
      stats.delete(message.breaker);
      stats.set(message.breaker, message);
      if (stats.size > REPLAY_SESSIONS) stats.delete(stats.keys().next().value!);
    } else if (message.type === 'p99-breaker.stateChange') {
      changes.push(message);
      if (changes.length > REPLAY_CHANGES) changes.shift();
    }
  };

  const http = createServer((request, response) => {
    if (!allowedHosts.has(request.headers.host ?? '')) return send(response, policy, 421, 'text/plain', 'misdirected request\n');
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, policy, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/':
        return send(response, policy, 200, 'text/html', viewerHtml());
      case '/viewer.js':
        return send(response, policy, 200, 'text/javascript', viewerScript());
      case '/viewer.css':
        return send(response, policy, 200, 'text/css', viewerCss());
      case '/favicon.ico':
        response.writeHead(204).end();
        return;
      case '/diagram.svg':
        return svg === undefined ? send(response, policy, 404, 'text/plain', 'no diagram: run npm run diagram\n') : send(response, policy, 200, 'image/svg+xml', svg);
      default:
        return send(response, policy, 404, 'text/plain', 'not found\n');
    }
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (request: IncomingMessage, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = request.headers.origin;
    const originOk = origin === undefined || [...allowedHosts].some((h) => origin === `http://${h}`);
    if (url.pathname !== '/ws' || !allowedHosts.has(request.headers.host ?? '') || !originOk) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      if (url.searchParams.get('role') === 'viewer') {
        viewers.add(ws);
        ws.on('close', () => viewers.delete(ws));
        for (const message of [...snapshots.values(), ...changes, ...stats.values()]) ws.send(JSON.stringify(message));
      } else {
        ws.on('message', (data: RawData, isBinary: boolean) => {
          const message = isBinary ? undefined : parseMessage(data);
          if (message !== undefined) publish(message, ws);
        });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(requestedPort, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${urlHost}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  // 'self' covers same-origin WebSockets in current browsers; the explicit IPv4 sources cover older ones.
  const sockets = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`].join(' ');
  policy = `default-src 'self'; connect-src 'self' ${sockets}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'`;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/`,
    wsUrl: `ws://${urlHost}:${port}/ws`,
    port,
    inspect: (event: unknown): void => {
      if (closing !== undefined) return;
      const message = toInspectionMessage(event);
      try {
        if (message !== undefined) publish(message);
      } catch {
        // inspection must never disturb the actor it watches
      }
    },
    attach: (breaker: CircuitBreaker, streamOptions?: StreamBreakerOptions): (() => void) => {
      if (closing !== undefined) return () => {};
      const stop = streamBreaker(breaker, (message) => publish(message), streamOptions);
      const detach = (): void => {
        detachers.delete(detach);
        stop();
      };
      detachers.add(detach);
      return detach;
    },
    close: (): Promise<void> => {
      closing ??= new Promise<void>((resolve) => {
        for (const detach of [...detachers]) detach();
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(response: ServerResponse, policy: string, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': policy,
  });
  response.end(body);
}

function parseMessage(data: RawData): InspectorMessage | undefined {
  try {
    const message: unknown = JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
    if (typeof message !== 'object' || message === null) return undefined;
    const type = (message as { type?: unknown }).type;
    if (typeof type !== 'string' || !INSPECTOR_MESSAGE_TYPES.has(type)) return undefined;
    if (type === '@xstate.snapshot' && typeof (message as { snapshot?: unknown }).snapshot !== 'object') return undefined;
    if (type === 'p99-breaker.stats' && typeof (message as { breaker?: unknown }).breaker !== 'string') return undefined;
    return message as InspectorMessage;
  } catch {
    return undefined;
  }
}
