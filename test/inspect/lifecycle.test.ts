import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInspectorServer } from '../../src/index.js';

const rootDir = resolve(import.meta.dirname, '../..');

/** Starts `node --import tsx <script>`; resolves with its exit code and output, or rejects after `timeoutMs`. */
function runChild(script: string, args: string[], timeoutMs: number, onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'fixtures', script), ...args], { cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${script} did not exit within ${timeoutMs} ms (something keeps it alive)\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

describe('inspector lifecycle', () => {
  it('lets the process exit on its own after close() and dispose(), with viewers and remote producers connected', async () => {
    const result = await runChild('exitsOnItsOwn.ts', [], 15_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^received [1-9]\d* messages; state open\n$/);
  });

  it('lets a breaker process inspected over WebSocket (never closed by hand) exit once the breaker is disposed', async () => {
    const server = await startInspectorServer({ port: 0 });
    try {
      const result = await runChild('remoteProducerExits.ts', [server.url], 15_000);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('disposed in state open\n');
    } finally {
      await server.close();
    }
  });

  it('p99-breaker inspect prints the URL, serves the page, and stops cleanly on SIGINT', async () => {
    let page: Promise<string> | undefined;
    const result = await runChild('runCli.ts', ['inspect', '--port', '0'], 15_000, (stdout, kill) => {
      const url = /inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
      if (url !== undefined && page === undefined) {
        page = fetch(url).then(async (r) => {
          const body = await r.text();
          kill('SIGINT');
          return body;
        });
      }
    });
    expect(await page).toContain('<title>p99-breaker inspector</title>');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ws://127.0.0.1:');
    expect(result.stdout).toContain('p99-breaker inspector: stopped');
  });

  it('p99-breaker inspect refuses a non-loopback host', async () => {
    const result = await runChild('runCli.ts', ['--host', '0.0.0.0', '--port', '0'], 15_000);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('loopback only');
  });
});
