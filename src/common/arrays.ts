// Array helpers for lists whose length the input decides.

/**
 * Appends `items` to `target` one at a time. `target.push(...items)` passes every item as an
 * argument, which overflows the stack past about 100,000 items (a file with that many diagnostics).
 */
export function pushAll<T>(target: T[], items: readonly T[]): T[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
  return target;
}
