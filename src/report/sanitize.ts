/**
 * Text from files is hostile: a tag value can carry terminal escape sequences, bidirectional
 * overrides or NULs. Everything printed passes through here.
 */

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, and zero-width/invisible formatting.
const unsafeSource = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb]';
const unsafeCharacters = new RegExp(unsafeSource, 'g');
/** The same class without the global flag: `test` keeps no position between calls. */
const anyUnsafeCharacter = new RegExp(unsafeSource);

/** Removes control and invisible formatting characters; keeps everything printable. */
export function sanitize(text: string, maxLength = 500): string {
  // Nearly every value is already clean: one test, no new string.
  const clean = anyUnsafeCharacter.test(text) ? text.replace(unsafeCharacters, '') : text;
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

/**
 * A JSON-able value with every string (keys included) sanitised. Arrays and plain objects in which
 * nothing changes are returned as they are — a folder scan's JSON sanitised a full copy of every
 * report, most of its main thread's time — and copied only where a string changes. Other objects
 * are copied as their own enumerable properties (JSON escapes C0 controls, not the rest).
 */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value, 10_000) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const clean = sanitizeDeep(item);
      if (clean !== item && !copy) copy = value.slice(0, index);
      copy?.push(clean);
    }
    return (copy ?? value) as T;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Record<string, unknown>;
    const prototype = Object.getPrototypeOf(record);
    const keys = Object.keys(record);
    // Other objects are always copied; a plain one from its first changed entry on (each entry is
    // cleaned once, so the work stays linear however deep a change sits).
    let result: Record<string, unknown> | undefined = prototype === Object.prototype || prototype === null ? undefined : {};
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const item = record[key];
      const cleanKey = sanitize(key, 200);
      const clean = sanitizeDeep(item);
      if (!result && (cleanKey !== key || clean !== item)) {
        result = {};
        for (const earlier of keys.slice(0, index)) result[earlier] = record[earlier];
      }
      if (result) result[cleanKey] = clean;
    }
    return (result ?? value) as T;
  }
  return value;
}
