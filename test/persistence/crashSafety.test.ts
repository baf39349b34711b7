import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, FileStateStore, type BreakerSnapshot } from '../../src/index.js';

// Must match fixtures/crashWriter.ts.
const NAMES = ['venue-a', 'venue-b', 'venue-c'];
const SAMPLES = 4_000;
const WRITER = fileURLToPath(new URL('./fixtures/crashWriter.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'p99-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, waits until every breaker has an entry, lets it write for `ms`, then SIGKILLs it. */
async function killMidWrite(file: string, mode: 'atomic' | 'naive', ms: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer not ready in 15 s: ${stderr}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => reject(new Error(`writer exited early (${how}): ${stderr}`)));
  });
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  expect(await exited, `the writer died on its own: ${stderr}`).toBe('SIGKILL');
}

/** The file as a reader after a restart sees it: throws if it is not one complete, consistent snapshot set. */
function readCompleteSet(file: string): Map<string, BreakerSnapshot> {
  const all = new Map(new FileStateStore(file).loadAll());
  expect([...all.keys()].sort()).toEqual(NAMES);
  for (const [name, snapshot] of all) {
    expect(snapshot.window.latenciesMs).toHaveLength(SAMPLES);
    const restored = createCircuitBreaker({ name, windowSize: SAMPLES, clock: new SimulatedClock(), restore: snapshot });
    expect(restored.stats().samples).toBe(SAMPLES);
    restored.dispose();
  }
  // Saves go a, b, c, a, b, c…: the file is the state after some prefix of them, never a mix.
  const rounds = NAMES.map((n) => all.get(n)!.takenAt);
  expect(rounds[0]! - rounds[2]!).toBeGreaterThanOrEqual(0);
  expect(rounds[0]! - rounds[2]!).toBeLessThanOrEqual(1);
  expect([...rounds].sort((x, y) => y - x)).toEqual(rounds);
  return all;
}

describe('FileStateStore under SIGKILL', () => {
  it('after 30 kills mid-write, the file always parses as one complete snapshot set', async () => {
    const file = join(dir, 'atomic.json');
    let killsThatLeftATempFile = 0;
    let lastRound = -1;
    for (let kill = 0; kill < 30; kill++) {
      const before = new Set(readdirSync(dir));
      await killMidWrite(file, 'atomic', 5 + ((kill * 7) % 25));
      let all: Map<string, BreakerSnapshot>;
      try {
        all = readCompleteSet(file);
      } catch (error) {
        throw new Error(`after kill ${kill + 1}: ${(error as Error).message}\n${readFileSync(file, 'utf8').slice(0, 300)}`);
      }
      lastRound = all.get(NAMES[0]!)!.takenAt;
      if (readdirSync(dir).some((f) => f.endsWith('.tmp') && !before.has(f))) killsThatLeftATempFile++;
    }
    expect(lastRound).toBeGreaterThan(0);
    // Evidence that kills did land inside a write (between creating the temp file and renaming it).
    expect(killsThatLeftATempFile).toBeGreaterThan(0);
  }, 120_000);

  it('control: writing the same file in place is caught torn by the same harness', async () => {
    const file = join(dir, 'naive.json');
    let torn = 0;
    for (let kill = 0; kill < 12 && torn === 0; kill++) {
      await killMidWrite(file, 'naive', 5 + ((kill * 7) % 25));
      try {
        JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        torn++;
      }
    }
    expect(torn).toBeGreaterThan(0);
  }, 120_000);
});
