/**
 * The package as a user gets it: built, packed into a tarball, installed into an empty project, imported
 * by plain Node. This talks to real processes (tsc, npm, node), so it runs on real time, bounded.
 *
 * The build runs in a temporary copy of the package (sources, configs, a link to node_modules), not in
 * the working tree: `npm run build` starts with `rm -rf dist`, and other test files may be using `dist/`
 * while this one runs.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'p99-breaker-pack-'));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command in `cwd` and returns its stdout; on failure the error carries stdout and stderr. */
function run(command: string, args: readonly string[], cwd: string): string {
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const consumerScript = `
import {
  createCircuitBreaker, isCircuitOpenError, ConfigError, isConfigError, computeBackoffDelay, LatencyWindow,
} from 'p99-breaker';

// a hand-driven clock, so the script needs nothing but the package
let now = 0;
const timers = new Map();
let nextId = 1;
const clock = {
  now: () => now,
  setTimeout: (fn, ms) => { const id = nextId++; timers.set(id, { at: now + ms, fn }); return id; },
  clearTimeout: (id) => { timers.delete(id); },
};
const advance = (ms) => {
  now += ms;
  for (const [id, t] of [...timers]) if (t.at <= now) { timers.delete(id); t.fn(); }
};

const result = {};
const breaker = createCircuitBreaker({ name: 'venue-rpc', clock, random: () => 0.5 });
result.value = await breaker.execute(async () => 'fill');
for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('503'))).catch(() => {});
result.stateAfterFailures = breaker.state;
try {
  await breaker.execute(() => 'never sent');
} catch (e) {
  result.refused = { isOpen: isCircuitOpenError(e), retryAfterMs: e.retryAfterMs, trigger: e.reason.trigger, sent: e.sent };
}
advance(30_000);
result.stateAfterBackoff = breaker.state;
await breaker.execute(async () => 'probe');
result.stateAfterProbe = breaker.state;
breaker.dispose();
result.timersLeft = timers.size;

try {
  createCircuitBreaker({ windowSize: -1, errorRateThreshold: 2 });
} catch (e) {
  result.config = { instance: e instanceof ConfigError, guard: isConfigError(e), options: e.problems.map((p) => p.option) };
}

result.backoff = [0, 1, 2, 3, 4].map((k) => computeBackoffDelay(k, {
  recoveryTimeoutMs: 30_000, baseDelayMs: 1_000, maxDelayMs: 300_000, multiplier: 2, jitterFactor: 0.1,
}, () => 0.5));

const window = new LatencyWindow(1000, 200);
for (let i = 1; i <= 100; i++) window.record(i, false);
result.p99 = window.p99Ms();

console.log(JSON.stringify(result));
`;

describe('the published package', () => {
  it('builds, packs with its .d.ts files, installs into an empty project and works from plain Node', () => {
    // 1. a copy of the package, built with its own build script
    const pkg = join(work, 'pkg');
    for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'machines', 'bin', 'docs']) {
      if (existsSync(join(root, entry))) cpSync(join(root, entry), join(pkg, entry), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    run('npm', ['run', 'build'], pkg);

    // 2. the tarball, and the type declarations in it
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    run('npm', ['pack', '--pack-destination', tarballs], pkg);
    const tgz = readdirSync(tarballs).find((f) => f.endsWith('.tgz'));
    expect(tgz).toMatch(/^p99-breaker-.*\.tgz$/);
    const tarball = join(tarballs, tgz!);
    const listed = run('tar', ['-tzf', tarball], work).split('\n');
    for (const file of [
      'package/package.json',
      'package/dist/src/index.js',
      'package/dist/src/index.d.ts',
      'package/dist/src/breaker/createCircuitBreaker.d.ts',
      'package/dist/src/errors/CircuitOpenError.d.ts',
      'package/dist/src/window/LatencyWindow.d.ts',
      'package/dist/machines/breakerMachine.js',
      'package/dist/machines/breakerMachine.d.ts',
    ]) {
      expect(listed).toContain(file);
    }
    expect(listed.some((f) => f.startsWith('package/test/') || f.startsWith('package/node_modules/'))).toBe(false);

    // 3. an empty project installs the tarball (dependencies come from the npm cache when present)
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], app);
    expect(existsSync(join(app, 'node_modules/p99-breaker/dist/src/index.d.ts'))).toBe(true);

    // 4. plain Node imports it by name and it behaves
    writeFileSync(join(app, 'consumer.mjs'), consumerScript);
    const output = run(process.execPath, ['consumer.mjs'], app);
    const result = JSON.parse(output.trim().split('\n').at(-1)!);
    expect(result).toEqual({
      value: 'fill',
      stateAfterFailures: 'open',
      refused: { isOpen: true, retryAfterMs: 30_000, trigger: 'consecutiveFailures', sent: false },
      stateAfterBackoff: 'halfOpen',
      stateAfterProbe: 'closed',
      timersLeft: 0,
      config: { instance: true, guard: true, options: ['errorRateThreshold', 'windowSize'] },
      backoff: [30_000, 60_000, 120_000, 240_000, 300_000],
      p99: 99,
    });
  }, 120_000);
});
