import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOAK = fileURLToPath(new URL('../../scripts/soak.ts', import.meta.url));

function runSoak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', SOAK, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe('scripts/soak.ts (npm run soak)', () => {
  it('200 000 calls through latency storms: exit 0, every call accounted for, storms matched, heap flat', async () => {
    const { code, stdout, stderr } = await runSoak(['--calls', '200000']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{'))!) as Record<string, number>;
    expect(summary).toMatchObject({ calls: 200_000, violations: 0 });
    expect(summary.stormsChecked).toBeGreaterThanOrEqual(3);
    expect(summary.transitions).toBeGreaterThanOrEqual(3 * summary.stormsChecked!);
    expect(stdout).toMatch(/sum 200000 = submitted 200000/);
  }, 70_000);

  it('refuses a bad --calls with exit 2', async () => {
    const { code, stderr } = await runSoak(['--calls', '-3']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--calls expects a positive integer/);
  }, 70_000);
});
