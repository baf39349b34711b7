import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('../../examples/persistence.ts', import.meta.url));

describe('examples/persistence.ts', () => {
  it('runs to exit 0: the restarted breaker refuses for the rest of the backoff, then closes', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', EXAMPLE], { timeout: 15_000 });
    const { stdout } = await run.catch((error: { code?: unknown; stdout?: string; stderr?: string }) => {
      throw new Error(`example exited with ${String(error.code)}:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(stdout).toContain('on disk: {"open":"waiting"}');
    expect(stdout).toContain('state after restart: open');
    expect(stdout).toContain('order 4: refused, retry in 20000 ms');
    expect(stdout).toMatch(/t=30s open → halfOpen[\s\S]*t=30s halfOpen → closed[\s\S]*order 5: filled\n {2}state: closed/);
  }, 20_000);
});
