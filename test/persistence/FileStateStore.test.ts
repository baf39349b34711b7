import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  FileStateStore,
  isStateFileError,
  STATE_FILE_FORMAT,
  type BreakerSnapshot,
} from '../../src/index.js';

const silent = { info() {}, warn() {}, error() {} };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p99-state-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function snapshotOf(name: string, forceOpen = false): BreakerSnapshot {
  const b = createCircuitBreaker({ name, clock: new SimulatedClock(), logger: silent });
  if (forceOpen) b.forceOpen({ by: 'test', why: name });
  const s = b.snapshot();
  b.dispose();
  return s;
}

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('FileStateStore', () => {
  it('loads nothing when the file does not exist yet', () => {
    expect(new FileStateStore(join(dir, 'missing.json')).load('venue')).toBeUndefined();
  });

  it('returns what was saved, keyed by breaker name, in one JSON file', () => {
    const file = join(dir, 'state.json');
    const store = new FileStateStore(file);
    const a = snapshotOf('a', true);
    const b = snapshotOf('b');
    store.save('a', a);
    store.save('b', b);
    expect(store.load('a')).toEqual(JSON.parse(JSON.stringify(a)));
    expect(store.load('b')).toEqual(JSON.parse(JSON.stringify(b)));
    expect(store.load('c')).toBeUndefined();
    const onDisk = JSON.parse(readFileSync(file, 'utf8'));
    expect(onDisk).toMatchObject({ format: STATE_FILE_FORMAT, version: 1 });
    expect(Object.keys(onDisk.breakers)).toEqual(['a', 'b']);
  });

  it('keeps the entries of other stores sharing the file (each save re-reads it)', () => {
    const file = join(dir, 'state.json');
    new FileStateStore(file).save('a', snapshotOf('a'));
    new FileStateStore(file).save('b', snapshotOf('b'));
    expect([...new FileStateStore(file).loadAll().keys()]).toEqual(['a', 'b']);
  });

  it('keeps a breaker named __proto__ as an ordinary entry', () => {
    const store = new FileStateStore(join(dir, 'state.json'));
    store.save('__proto__', snapshotOf('__proto__', true));
    expect(store.load('__proto__')?.name).toBe('__proto__');
    expect(store.load('toString')).toBeUndefined();
  });

  it('leaves no temporary file behind after a save', () => {
    const store = new FileStateStore(join(dir, 'state.json'));
    for (let i = 0; i < 5; i++) store.save(`b${i}`, snapshotOf(`b${i}`));
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  const corrupt: Array<[string, string, RegExp]> = [
    ['garbage', 'not json at all', /not valid JSON/],
    ['a torn write', JSON.stringify({ format: STATE_FILE_FORMAT, version: 1, breakers: {} }).slice(0, 30), /not valid JSON/],
    ['an empty file', '', /not valid JSON/],
    ['a JSON array', '[]', /expected a JSON object/],
    ['another program’s file', '{"hello":"world"}', /not a p99-breaker state file/],
    ['a future version', JSON.stringify({ format: STATE_FILE_FORMAT, version: 2, breakers: {} }), /version 2/],
    ['breakers that is not an object', JSON.stringify({ format: STATE_FILE_FORMAT, version: 1, breakers: [] }), /"breakers" must be an object/],
    ['an entry that is not an object', JSON.stringify({ format: STATE_FILE_FORMAT, version: 1, breakers: { venue: 3 } }), /entry of breaker "venue"/],
  ];
  for (const [what, text, message] of corrupt) {
    it(`refuses ${what} with a StateFileError naming the file, on load and on save, leaving it untouched`, () => {
      const file = join(dir, 'state.json');
      writeFileSync(file, text);
      const store = new FileStateStore(file);
      const onLoad = thrownBy(() => store.load('venue'));
      expect(isStateFileError(onLoad)).toBe(true);
      expect((onLoad as Error).message).toContain(JSON.stringify(file));
      expect((onLoad as Error).message).toMatch(message);
      expect(onLoad).toMatchObject({ name: 'StateFileError', file });
      const onSave = thrownBy(() => store.save('venue', snapshotOf('venue')));
      expect(isStateFileError(onSave)).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('reports a directory that does not exist as a StateFileError and leaves nothing behind', () => {
    const store = new FileStateStore(join(dir, 'no', 'such', 'dir', 'state.json'));
    const error = thrownBy(() => store.save('venue', snapshotOf('venue')));
    expect(isStateFileError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cannot be written/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a snapshot that is not JSON-serializable without touching the file', () => {
    const file = join(dir, 'state.json');
    const store = new FileStateStore(file);
    store.save('a', snapshotOf('a'));
    const before = readFileSync(file, 'utf8');
    const bad = { ...snapshotOf('b'), takenAt: 1n } as unknown as BreakerSnapshot;
    expect(isStateFileError(thrownBy(() => store.save('b', bad)))).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('rejects an empty path at construction', () => {
    expect(() => new FileStateStore('')).toThrow(TypeError);
  });
});
