import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isConfigError } from '../src/index.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('the persist option', () => {
  it('writes the state file on every state change and a restarted breaker comes back open for the remaining time', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'p99-persist-')), 'breaker-state.json');
    const clock = new SimulatedClock();
    const first = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, persist: { file } });
    for (let i = 0; i < 5; i++) await first.execute(async () => { throw new Error('down'); }).catch(() => {});
    expect(first.state).toBe('open');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    expect(JSON.stringify(saved)).toContain('"venue"');
    first.dispose();

    clock.increment(10_000); // the process was down for 10 s
    const restarted = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, persist: { file } });
    expect(restarted.state).toBe('open');
    expect(restarted.stats().nextAttemptAt).toBe(30_000);
    let invoked = false;
    await expect(restarted.execute(async () => { invoked = true; })).rejects.toMatchObject({ name: 'CircuitOpenError', retryAfterMs: 20_000 });
    expect(invoked).toBe(false);
    clock.increment(19_999);
    expect(restarted.state).toBe('open');
    clock.increment(1);
    expect(restarted.state).toBe('halfOpen');
    restarted.dispose();
  });

  it('rejects a malformed persist option with a ConfigError naming it', () => {
    let error: unknown;
    try {
      createCircuitBreaker({ persist: { file: '' } });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: Array<{ option: string }> }).problems.map((p) => p.option)).toEqual(['persist']);
  });
});
