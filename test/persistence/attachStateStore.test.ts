import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  attachStateStore,
  createCircuitBreaker,
  FileStateStore,
  isConfigError,
  MemoryStateStore,
  resolveStateStore,
  type BreakerSnapshot,
  type StateChange,
  type StateStore,
} from '../../src/index.js';

const fail = (): Promise<never> => Promise.reject(new Error('down'));

function recordingLogger() {
  const lines: Array<{ level: string; fields: object; message: string | undefined }> = [];
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

function breakerOn(clock: SimulatedClock) {
  return createCircuitBreaker({
    name: 'venue', clock, random: () => 0.5, failureThreshold: 2, recoveryTimeoutMs: 1_000,
    logger: { info() {}, warn() {}, error() {} },
  });
}

describe('attachStateStore', () => {
  it('saves the snapshot taken at each state change, and only then', async () => {
    const clock = new SimulatedClock();
    const breaker = breakerOn(clock);
    const saved: BreakerSnapshot[] = [];
    attachStateStore(breaker, { load: () => undefined, save: (name, s) => void saved.push(JSON.parse(JSON.stringify(s))) });
    const changes: StateChange[] = [];
    breaker.onStateChange((c) => changes.push(c));
    await breaker.execute(() => 'ok');
    expect(saved).toHaveLength(0);
    await breaker.execute(fail).catch(() => {});
    await breaker.execute(fail).catch(() => {}); // closed → open
    clock.increment(1_000); // open → halfOpen
    await breaker.execute(() => 'ok'); // halfOpen → closed
    expect(changes.map((c) => c.to)).toEqual(['open', 'halfOpen', 'closed']);
    expect(saved.map((s) => (s.machine as { value: unknown }).value)).toEqual([{ open: 'waiting' }, { halfOpen: 'idle' }, 'closed']);
    expect(saved.every((s) => s.name === 'venue')).toBe(true);
    breaker.dispose();
  });

  it('a failing store never reaches the breaker; it is logged once per failure streak', async () => {
    const clock = new SimulatedClock();
    const breaker = breakerOn(clock);
    let broken = true;
    let saves = 0;
    const store: StateStore = {
      load: () => undefined,
      save: () => {
        saves++;
        if (broken) throw new Error('disk full');
      },
    };
    const { lines, logger } = recordingLogger();
    attachStateStore(breaker, store, logger);
    const cycle = async (): Promise<void> => {
      await breaker.execute(fail).catch(() => {});
      await breaker.execute(fail).catch(() => {});
      clock.increment(1_000);
      await expect(breaker.execute(() => 'ok')).resolves.toBe('ok');
    };
    await cycle(); // 3 changes, 3 failed saves
    expect(saves).toBe(3);
    expect(lines.map((l) => l.level)).toEqual(['error']);
    expect(lines[0]!.message).toMatch(/could not save breaker state/);
    broken = false;
    await cycle(); // the first success ends the streak
    expect(lines.map((l) => l.level)).toEqual(['error', 'info']);
    expect(lines[1]!.fields).toMatchObject({ failedSaves: 3 });
    broken = true;
    await cycle(); // a new streak is logged again
    expect(lines.map((l) => l.level)).toEqual(['error', 'info', 'error']);
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });

  it('a logger that throws as well changes nothing', async () => {
    const clock = new SimulatedClock();
    const breaker = breakerOn(clock);
    const boom = () => {
      throw new Error('logger down');
    };
    attachStateStore(breaker, { load: () => undefined, save: boom }, { info: boom, warn: boom, error: boom });
    await breaker.execute(fail).catch(() => {});
    await expect(breaker.execute(fail)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });

  it('stops saving once detached', async () => {
    const clock = new SimulatedClock();
    const breaker = breakerOn(clock);
    const store = new MemoryStateStore();
    const detach = attachStateStore(breaker, store);
    detach();
    await breaker.execute(fail).catch(() => {});
    await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(store.names()).toEqual([]);
    breaker.dispose();
  });
});

describe('resolveStateStore', () => {
  it('turns { file } into a FileStateStore on that path', () => {
    const store = resolveStateStore({ file: 'breaker-state.json' });
    expect(store).toBeInstanceOf(FileStateStore);
    expect((store as FileStateStore).file).toBe('breaker-state.json');
  });

  it('passes { store } through', () => {
    const store = new MemoryStateStore();
    expect(resolveStateStore({ store })).toBe(store);
  });

  const invalid: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'breaker-state.json'],
    ['an empty object', {}],
    ['an empty path', { file: '' }],
    ['a path that is not a string', { file: 42 }],
    ['a store without save', { store: { load: () => undefined } }],
    ['both file and store', { file: 'a.json', store: new MemoryStateStore() }],
    ['an unknown key', { path: 'a.json' }],
  ];
  for (const [what, value] of invalid) {
    it(`refuses ${what} with a ConfigError naming persist`, () => {
      let error: unknown;
      try {
        resolveStateStore(value as never);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toMatch(/`persist/);
    });
  }
});
