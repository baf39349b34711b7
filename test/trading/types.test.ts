import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../..');
const fixture = join(here, 'fixtures/wrappedClientTypes.ts');

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', project], { cwd: root, timeout: 150_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

describe('the wrapped client keeps its TypeScript type (tsc)', () => {
  it('compiles the type contract, and reports a wrong argument once its @ts-expect-error is removed', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p99-trading-types-'));
    try {
      // The control: the same file with the first expectation turned into a plain call must fail to compile.
      const source = await readFile(fixture, 'utf8');
      const broken = source
        .replace("'../../../src/index.js'", JSON.stringify(relative(dir, join(root, 'src/index.js'))))
        .replace("'../MockVenue.js'", JSON.stringify(relative(dir, join(here, 'MockVenue.js'))))
        .replace('// @ts-expect-error qty must be a number', '// (the expectation removed)');
      expect(broken).not.toBe(source);
      // An ESM package that sees the project's node_modules, like the fixture does.
      await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const brokenFile = join(dir, 'broken.ts');
      await writeFile(brokenFile, broken);
      const brokenLine = broken.split('\n').findIndex((line) => line.includes("qty: '1'")) + 1;
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext',
            strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, verbatimModuleSyntax: true,
            skipLibCheck: true, noEmit: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')],
          },
          files: [fixture, brokenFile],
        }),
      );
      const { code, output } = await tsc(join(dir, 'tsconfig.json'));
      const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
      // The real fixture compiles cleanly (every @ts-expect-error is used, every expectTypeOf holds) …
      expect(errors.filter((line) => line.includes('wrappedClientTypes.ts'))).toEqual([]);
      // … and the broken copy fails exactly on the wrong argument.
      expect(code).not.toBe(0);
      expect(errors, output).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`broken\\.ts\\(${brokenLine},\\d+\\): error TS2322`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
