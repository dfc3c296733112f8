/**
 * Manifest data is keyed by names a user chose, and `constructor`, `toString` or `__proto__` are
 * names like any other: read and write them as the object's own keys, never through its prototype.
 */

/** The value stored under `key` itself, or undefined: never an inherited member such as `constructor`. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Stores `value` under `key`, even `__proto__`, which a plain assignment would take as the prototype. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
