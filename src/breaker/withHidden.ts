/**
 * Returns `visible` with `hidden` added as readable, non-enumerable properties: the documented shape
 * stays exact for deep equality and JSON, and the extras are still there for those who read them.
 *
 * @example
 * ```ts
 * const stats = withHidden({ state: 'closed' }, { name: 'venue' });
 * stats.name;            // 'venue'
 * JSON.stringify(stats); // '{"state":"closed"}'
 * ```
 */
export function withHidden<T extends object, H extends object>(visible: T, hidden: H): T & H {
  for (const [key, value] of Object.entries(hidden)) {
    Object.defineProperty(visible, key, { value, enumerable: false, writable: false, configurable: true });
  }
  return visible as T & H;
}
