import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/index.js';

const rootDir = resolve(import.meta.dirname, '../..');

function runExample(file: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(rootDir, file)], { cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${file} did not finish within 15 s\n${stdout}\n${stderr}`));
    }, 15_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('examples', () => {
  it('examples/health-check.ts recovers through the health check: unhealthy, timeout, healthy, then one probe closes', async () => {
    const { code, stdout, stderr } = await runExample('examples/health-check.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^\[t=1\.\d s\] closed → open: \{"trigger":"p99","valueMs":450,"thresholdMs":200,.*\(attempt 0, next attempt in 30\.0 s\)$/),
      'refused without calling the node: retry in 30.0 s',
      expect.stringMatching(/open → open: \{"trigger":"healthCheck","outcome":"unhealthy"\} \(attempt 1, next attempt in 60\.0 s\)$/),
      expect.stringMatching(/open → open: \{"trigger":"healthCheck","outcome":"timeout","timeoutMs":5000\} \(attempt 2, next attempt in 120\.0 s\)$/),
      expect.stringMatching(/open → halfOpen: \{"trigger":"healthCheck","outcome":"healthy"\} \(attempt 2\)$/),
      'state after a healthy check: halfOpen',
      expect.stringMatching(/halfOpen → closed: \{"trigger":"probe","outcome":"succeeded","valueMs":20,"thresholdMs":200\} \(attempt 0\)$/),
      expect.stringMatching(/^final state: closed, stats: \{"succeeded":\d+,"failed":0,"rejected":1,/),
    ]);
  });

  it('examples/listeners.ts shows callbacks, observables, a throwing listener and completion on dispose', async () => {
    const { code, stdout, stderr } = await runExample('examples/listeners.ts');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'samples$: max of the last 10 calls 40 ms',
      'samples$: max of the last 10 calls 350 ms',
      'onStateChange: closed → open (p99)',
      'logger.error: a state change listener threw; it was ignored (Error: listener bug)',
      'stateChanges$ trip: P99 350 ms > 200 ms',
      'onStateChange: open → halfOpen (recoveryDue)',
      'logger.error: a state change listener threw; it was ignored (Error: listener bug)',
      'onStateChange: halfOpen → closed (probe)',
      'logger.error: a state change listener threw; it was ignored (Error: listener bug)',
      'logger.error: a state change listener threw; it was ignored (Error: listener bug)',
      'stateChanges$ trip: manual',
      'stateChanges$ completed',
      'samples$ completed',
    ]);
  });
});

describe('docs', () => {
  it('docs/configuration.md documents every option with its default', async () => {
    const doc = await readFile(resolve(rootDir, 'docs/configuration.md'), 'utf8');
    const options = ['name', 'failureThreshold', 'latencyThresholdMs', 'errorRateThreshold', 'windowSize', 'minimumSamples', 'recoveryTimeoutMs',
      'halfOpenRequests', 'halfOpenTimeoutMs', 'recovery.baseDelayMs', 'recovery.maxDelayMs', 'recovery.multiplier', 'recovery.jitterFactor',
      'healthCheck', 'healthCheckTimeoutMs', 'isFailure', 'clock', 'random', 'logger', 'inspect', 'restore', 'persist'];
    const rows = new Map(doc.split('\n').filter((l) => l.startsWith('| `')).map((l) => [/^\| `([^`]+)`/.exec(l)![1]!, l]));
    expect([...rows.keys()].filter((k) => options.includes(k)).sort()).toEqual([...options].sort());
    const format = (n: number) => (n >= 1000 ? n.toLocaleString('en-US').replace(/,/g, ' ') : String(n));
    const flat: Record<string, unknown> = { ...DEFAULTS, ...Object.fromEntries(Object.entries(DEFAULTS.recovery).map(([k, v]) => [`recovery.${k}`, v])) };
    for (const [key, value] of Object.entries(flat)) {
      if (typeof value !== 'number') continue;
      expect(rows.get(key), key).toContain(`| \`${format(value)}\``);
    }
    expect(doc).toContain('⌈0.99 · n⌉');
    expect(doc).toContain('P99 > T  ⇔  c > n − rank(n)');
  });

  it('docs/integration.md links to every example that exists, and to nothing missing of its own', async () => {
    const doc = await readFile(resolve(rootDir, 'docs/integration.md'), 'utf8');
    for (const example of ['trading-client', 'health-check', 'listeners', 'persistence', 'metrics-server']) {
      expect(doc).toContain(`(../examples/${example}.ts)`);
    }
    for (const own of ['../examples/health-check.ts', '../examples/listeners.ts', 'configuration.md', 'state-diagram.md', 'state-diagram.svg', '../stately.config.json', 'stately.config.schema.json']) {
      expect(existsSync(resolve(rootDir, 'docs', own)), own).toBe(true);
    }
  });
});
