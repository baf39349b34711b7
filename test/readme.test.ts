import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** The README's first TypeScript block. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const match = /```ts\n([\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('README.md has no ```ts block');
  return match[1]!;
}

/**
 * Runs the README block as written, in a child process, with `venue`, `order` and `log` defined around it
 * and `createCircuitBreaker({ name: 'venue-rpc' })` bound to `breakerUnderTest` (set up by `setup`).
 */
function runReadmeExample(setup: string): string {
  const example = readmeExample();
  expect(example).toContain("import { createCircuitBreaker, isCircuitOpenError } from 'p99-breaker';");
  expect(example).toContain("createCircuitBreaker({ name: 'venue-rpc' })");
  const body = example
    .replace("import { createCircuitBreaker, isCircuitOpenError } from 'p99-breaker';", '')
    .replace("createCircuitBreaker({ name: 'venue-rpc' })", 'breakerUnderTest');
  const source = `
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isCircuitOpenError } from '../src/index.js';
const clock = new SimulatedClock();
const order = { qty: 1 };
let sent = 0;
const venue = { placeOrder: async (_: unknown) => { sent++; clock.increment(5); return 'fill-1'; } };
const log = { warn: (m: string) => console.log('WARN ' + m), info: (c: unknown) => console.log('INFO ' + JSON.stringify(c)) };
const breakerUnderTest = createCircuitBreaker({ name: 'venue-rpc', clock, random: () => 0.5 });
${setup}
${body}
console.log('SENT ' + sent);
console.log('FILL ' + (typeof fill === 'undefined' ? 'none' : fill));
`;
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const file = join(root, '.tmp', `readme-example-${process.pid}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source.replace('const fill =', 'var fill =').replace(/try \{\n\s*var fill/, 'var fill: unknown; try {\n  fill'));
  return execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
}

describe('README quick start', () => {
  it('places the order through a closed breaker and returns the fill', () => {
    const out = runReadmeExample('');
    expect(out).toContain('SENT 1');
    expect(out).toContain('FILL fill-1');
  });

  it('refuses the order without sending it when open, saying when to retry and why', () => {
    const out = runReadmeExample(`
for (let i = 0; i < 5; i++) await breakerUnderTest.execute(async () => { throw new Error('down'); }).catch(() => {});
`);
    expect(out).toContain('WARN paused, retry in 30000 ms (consecutiveFailures)');
    expect(out).toContain('SENT 0');
  });
});
