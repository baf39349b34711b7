/**
 * The parent side of `fixtures/instance.ts`: spawns a real `node` process, sends it commands, records its
 * events, and waits (bounded) for conditions on them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StateChange } from '../../src/breaker/StateChange.js';
import type { InstanceConfig } from './fixtures/instance.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/instance.ts', import.meta.url));

export interface LogEvent { readonly level: string; readonly msg: string; readonly fields: Record<string, unknown> }

export class FleetInstance {
  readonly changes: StateChange[] = [];
  readonly logs: LogEvent[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #exited = false;
  readonly ready: Promise<void>;

  private constructor(readonly config: InstanceConfig) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let markReady!: () => void;
    let failReady!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = true;
      const error = new Error(`instance ${config.instance} exited (${code ?? signal})`);
      failReady(error);
      for (const { reject } of this.#pending.values()) reject(error);
      this.#pending.clear();
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return; // a stray line (e.g. a library's console output)
      }
      if (message.event === 'ready') markReady();
      else if (message.event === 'stateChange') this.changes.push(message.change as StateChange);
      else if (message.event === 'log') this.logs.push(message as unknown as LogEvent);
      else if (typeof message.id === 'number') {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(new Error(String(message.error)));
      }
    });
  }

  static async start(config: InstanceConfig): Promise<FleetInstance> {
    const instance = new FleetInstance(config);
    await withTimeout(instance.ready, 15_000, `instance ${config.instance} did not start`);
    return instance;
  }

  get name(): string {
    return this.config.instance;
  }

  send<T = any>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`instance ${this.name} has exited`));
    const id = this.#nextId++;
    return withTimeout(
      new Promise<T>((resolve, reject) => {
        this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        this.#child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`);
      }),
      10_000,
      `instance ${this.name}: ${cmd} did not answer`,
    );
  }

  /** The first recorded state change matching `predicate`, waiting up to `timeoutMs`. */
  async waitForChange(predicate: (c: StateChange) => boolean, timeoutMs = 5_000): Promise<StateChange> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.changes.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline || this.#exited) throw new Error(`instance ${this.name}: no matching state change within ${timeoutMs} ms; saw ${JSON.stringify(this.changes.map((c) => `${c.from}→${c.to}(${c.reason.trigger})`))}`);
      await sleep(5);
    }
  }

  kill(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.kill('SIGKILL');
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
