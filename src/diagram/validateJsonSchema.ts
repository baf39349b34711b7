/** One place where a value breaks its schema: a JSON Pointer and what was expected. */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples', '$comment']);
const KEYWORDS = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'pattern',
  'minLength', 'minimum', 'maximum', 'minItems', 'uniqueItems',
]);

/**
 * Validates `value` against the small subset of JSON Schema (2020-12) that `stately.config.schema.json`
 * uses: `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`, `pattern`,
 * `minLength`, `minimum`, `maximum`, `minItems`, `uniqueItems`, plus annotations. It is strict about the
 * schema itself: an unsupported keyword throws instead of being silently ignored.
 *
 * @returns every problem found (empty when valid).
 * @throws Error when the schema uses a keyword outside the subset.
 * @example
 * ```ts
 * validateJsonSchema({ type: 'object', required: ['port'] }, {}); // [{ path: '', message: 'missing required property "port"' }]
 * ```
 */
export function validateJsonSchema(schema: unknown, value: unknown, path = ''): SchemaProblem[] {
  if (typeof schema === 'boolean') return schema ? [] : [{ path, message: 'no value is allowed here' }];
  if (!isObject(schema)) throw new Error(`schema at ${path || '/'} is not an object or boolean`);
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) throw new Error(`unsupported JSON Schema keyword "${keyword}" at ${path || '/'}`);
  }
  const problems: SchemaProblem[] = [];
  const fail = (message: string): void => {
    problems.push({ path, message });
  };

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(value, t))) {
      fail(`expected ${types.join(' or ')}, got ${describe(value)}`);
      return problems;
    }
  }
  if (schema.const !== undefined && !sameJson(schema.const, value)) fail(`expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(option, value))) {
    fail(`expected one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) fail(`"${value}" does not match /${schema.pattern}/`);
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) fail(`shorter than ${schema.minLength} characters`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`${value} is less than ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`${value} is greater than ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('items are not unique');
    if (schema.items !== undefined) value.forEach((item, i) => problems.push(...validateJsonSchema(schema.items, item, `${path}/${i}`)));
  }
  if (isObject(value)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) if (typeof key === 'string' && !Object.hasOwn(value, key)) fail(`missing required property "${key}"`);
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (Object.hasOwn(properties, key)) problems.push(...validateJsonSchema(properties[key], child, childPath));
      else if (schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) problems.push({ path: childPath, message: `unknown property "${key}"` });
        else problems.push(...validateJsonSchema(schema.additionalProperties, child, childPath));
      }
    }
  }
  return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      throw new Error(`unsupported JSON Schema type ${JSON.stringify(type)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
