import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('examples/trading-client.ts', () => {
  it('runs with npx tsx, exits 0 and prints the scenario summary', { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = execFile('npx', ['tsx', 'examples/trading-client.ts'], { cwd: root, timeout: 60_000 }, (error, out, err) => {
        done({ code: error === null ? 0 : (child.exitCode ?? 1), stdout: out, stderr: err });
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('fast venue: 200 orders filled, p99 5 ms');
    expect(lines).toContain('business rejections: 20, circuit closed');
    expect(stdout).toMatch(/closed → open \(p99\)\n.*venue hung: circuit opened after \d+ orders, no call completed \(P99 \d+ ms, \d+ in-flight calls overdue\)/);
    expect(lines).toContain('while open: refused 50 orders (0 sent), cancel sent');
    expect(lines).toContain('health check: ping 350 ms → slow, circuit open');
    expect(lines).toContain('health check: ping 20 ms → healthy, circuit halfOpen');
    expect(stdout).toMatch(/halfOpen → closed \(probe\)\nprobe order o-\d+ filled: circuit closed/);
    expect(lines.at(-1)).toMatch(/^counts: succeeded \d+, failed 0, rejected 52, business 20$/);
  });
});
