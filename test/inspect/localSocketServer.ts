import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** A bare `ws` server on 127.0.0.1 that records every JSON message it receives. */
export async function startRecordingServer(): Promise<{ url: string; messages: any[]; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const messages: any[] = [];
  wss.on('connection', (ws) => ws.on('message', (data) => messages.push(JSON.parse(data.toString()))));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Polls `predicate` on real time (a socket is involved), failing after `timeoutMs`. */
export async function waitFor<T>(predicate: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
