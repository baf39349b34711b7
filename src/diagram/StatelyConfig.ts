import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { validateJsonSchema } from './validateJsonSchema.js';

/**
 * The project's `stately.config.json`: which machines exist, the files generated from each, and the
 * inspector's defaults. Its JSON Schema is `docs/stately.config.schema.json`.
 *
 * @example
 * ```ts
 * const config = await readStatelyConfig('stately.config.json');
 * config.machines[0]?.id; // 'circuitBreaker'
 * ```
 */
export interface StatelyConfig {
  readonly $schema?: string;
  readonly version: 1;
  readonly machines: readonly StatelyMachineEntry[];
  readonly inspector: { readonly host: string; readonly port: number };
}

/** One machine: where its definition lives and where its diagrams go (paths relative to the config). */
export interface StatelyMachineEntry {
  /** The machine's `id`; checked against the definition. */
  readonly id: string;
  /** The module that defines it. */
  readonly source: string;
  /** The export: a machine, or a factory called with `environment`'s export. */
  readonly export: string;
  /** For a factory: the module and export of the static argument it is built with. */
  readonly environment?: { readonly source: string; readonly export: string };
  /** A short sentence shown at the top of the generated Markdown. */
  readonly description?: string;
  readonly outputs: { readonly markdown: string; readonly svg: string };
}

/**
 * Reads `stately.config.json` and validates it against `docs/stately.config.schema.json` (the `$schema`
 * it names, resolved next to the config).
 *
 * @throws Error listing every problem when the file does not match its schema.
 * @example
 * ```ts
 * const config = await readStatelyConfig(resolve('stately.config.json'));
 * ```
 */
export async function readStatelyConfig(file: string): Promise<StatelyConfig> {
  const config: unknown = JSON.parse(await readFile(file, 'utf8'));
  const schemaPath = (config as { $schema?: unknown }).$schema;
  if (typeof schemaPath !== 'string') throw new Error(`${file}: "$schema" must name the config's JSON Schema file`);
  const schema: unknown = JSON.parse(await readFile(resolve(file, '..', schemaPath), 'utf8'));
  const problems = validateJsonSchema(schema, config);
  if (problems.length > 0) {
    throw new Error(`${file} does not match ${schemaPath}:\n${problems.map((p) => `  ${p.path || '/'}: ${p.message}`).join('\n')}`);
  }
  return config as StatelyConfig;
}

/**
 * Imports a configured machine's definition (building a factory with its static environment) and checks
 * its id. Nothing runs: no actor is created.
 *
 * @throws Error when the export is missing, is not a machine, or has another id.
 * @example
 * ```ts
 * const machine = await loadMachine(config.machines[0]!, process.cwd());
 * ```
 */
export async function loadMachine(entry: StatelyMachineEntry, rootDir: string): Promise<AnyStateMachine> {
  const exported = await importExport(rootDir, entry.source, entry.export);
  let machine: unknown = exported;
  if (entry.environment !== undefined) {
    if (typeof exported !== 'function') throw new Error(`${entry.source}: "${entry.export}" is not a factory function`);
    machine = (exported as (environment: unknown) => unknown)(await importExport(rootDir, entry.environment.source, entry.environment.export));
  }
  const root = (machine as { root?: unknown } | null)?.root;
  if (root === undefined) throw new Error(`${entry.source}: "${entry.export}" did not give an XState machine`);
  const id = (machine as AnyStateMachine).id;
  if (id !== entry.id) throw new Error(`${entry.source}: machine id is "${id}", stately.config.json says "${entry.id}"`);
  return machine as AnyStateMachine;
}

async function importExport(rootDir: string, source: string, name: string): Promise<unknown> {
  const module = (await import(pathToFileURL(resolve(rootDir, source)).href)) as Record<string, unknown>;
  if (!(name in module)) throw new Error(`${source} has no export "${name}"`);
  return module[name];
}
