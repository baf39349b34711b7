/**
 * A JSON-safe copy of `value` for the inspector's wire: plain objects and arrays up to `depth` levels,
 * finite numbers, strings, booleans and null; errors become `{ name, message }`, cycles `'[Circular]'`,
 * functions and symbols disappear, non-finite numbers become null. Never throws (a getter that throws is
 * recorded as `'[unreadable]'`), so it is safe to call from inside an actor's inspection callback.
 *
 * @example
 * ```ts
 * toJsonSafe({ reason: { trigger: 'p99', valueMs: 250 }, fn() {} }); // { reason: { trigger: 'p99', valueMs: 250 } }
 * ```
 */
export function toJsonSafe(value: unknown, depth = 8): unknown {
  return copy(value, depth, new Set());
}

function copy(value: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (depth <= 0) return '[…]';
  if (object instanceof Error) return { name: object.name, message: object.message };
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => copy(item, depth - 1, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      let child: unknown;
      try {
        child = (object as Record<string, unknown>)[key];
      } catch {
        child = '[unreadable]';
      }
      const copied = copy(child, depth - 1, seen);
      if (copied !== undefined) out[key] = copied;
    }
    return out;
  } catch {
    return '[unreadable]';
  } finally {
    seen.delete(object);
  }
}
