import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMachine, readStatelyConfig } from '../../src/diagram/StatelyConfig.js';
import { validateJsonSchema } from '../../src/diagram/validateJsonSchema.js';
import { INSPECTOR_DEFAULTS } from '../../src/inspect/inspectorDefaults.js';

const rootDir = resolve(import.meta.dirname, '../..');
const readJson = async (path: string) => JSON.parse(await readFile(resolve(rootDir, path), 'utf8'));

describe('stately.config.json', () => {
  it('matches its JSON Schema', async () => {
    expect(validateJsonSchema(await readJson('docs/stately.config.schema.json'), await readJson('stately.config.json'))).toEqual([]);
  });

  it('names machines that exist, with the id they really have, and unique outputs', async () => {
    const config = await readStatelyConfig(resolve(rootDir, 'stately.config.json'));
    const ids = config.machines.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const outputs = config.machines.flatMap((m) => [m.outputs.markdown, m.outputs.svg]);
    expect(new Set(outputs).size).toBe(outputs.length);
    for (const entry of config.machines) {
      expect(existsSync(resolve(rootDir, entry.source)), entry.source).toBe(true);
      expect((await loadMachine(entry, rootDir)).id).toBe(entry.id);
    }
    expect(config.machines[0]).toMatchObject({ id: 'circuitBreaker', source: 'machines/breakerMachine.ts', export: 'createBreakerMachine' });
  });

  it("holds the inspector's built-in defaults", async () => {
    expect((await readJson('stately.config.json')).inspector).toEqual(INSPECTOR_DEFAULTS);
  });

  it('rejects a machine whose id differs from the definition', async () => {
    const config = await readStatelyConfig(resolve(rootDir, 'stately.config.json'));
    await expect(loadMachine({ ...config.machines[0]!, id: 'somethingElse' }, rootDir)).rejects.toThrow(/machine id is "circuitBreaker"/);
    await expect(loadMachine({ ...config.machines[0]!, export: 'nope' }, rootDir)).rejects.toThrow(/no export "nope"/);
  });
});

describe('validateJsonSchema', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['port', 'host'],
    properties: {
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      host: { enum: ['127.0.0.1', '::1'] },
      version: { const: 1 },
      name: { type: 'string', pattern: '^[a-z]+$', minLength: 2 },
      tags: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    },
  };

  it('accepts a valid value', () => {
    expect(validateJsonSchema(schema, { port: 8099, host: '::1', version: 1, name: 'ab', tags: ['x'] })).toEqual([]);
  });

  it('reports every problem with its JSON Pointer', () => {
    const problems = validateJsonSchema(schema, { port: 70000.5, version: 2, name: 'A', tags: ['x', 'x', 3], extra: true, constructor: 1 });
    expect(problems).toEqual([
      { path: '', message: 'missing required property "host"' },
      { path: '/port', message: 'expected integer, got number' },
      { path: '/version', message: 'expected 1, got 2' },
      { path: '/name', message: '"A" does not match /^[a-z]+$/' },
      { path: '/name', message: 'shorter than 2 characters' },
      { path: '/tags', message: 'items are not unique' },
      { path: '/tags/2', message: 'expected string, got integer' },
      { path: '/extra', message: 'unknown property "extra"' },
      { path: '/constructor', message: 'unknown property "constructor"' },
    ]);
    expect(validateJsonSchema(schema, { port: 0, host: '0.0.0.0' })).toEqual([
      { path: '/port', message: '0 is less than 1' },
      { path: '/host', message: 'expected one of "127.0.0.1", "::1", got "0.0.0.0"' },
    ]);
    expect(validateJsonSchema(schema, [])).toEqual([{ path: '', message: 'expected object, got array' }]);
  });

  it('refuses a schema keyword it does not implement instead of ignoring it', () => {
    expect(() => validateJsonSchema({ type: 'object', oneOf: [] }, {})).toThrow(/unsupported JSON Schema keyword "oneOf"/);
    expect(() => validateJsonSchema({ properties: { a: { $ref: '#/x' } } }, { a: 1 })).toThrow(/"\$ref" at \/a/);
  });

  it('uses only keywords it implements in docs/stately.config.schema.json (a wrong config is caught)', async () => {
    const config = await readJson('stately.config.json');
    const broken = { ...config, inspector: { host: '0.0.0.0', port: 8099 }, machines: [{ ...config.machines[0], outputs: { markdown: 'x.txt', svg: 'y.svg' } }] };
    const paths = validateJsonSchema(await readJson('docs/stately.config.schema.json'), broken).map((p) => p.path);
    expect(paths).toEqual(['/machines/0/outputs/markdown', '/inspector/host']);
  });
});
