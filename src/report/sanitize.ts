/**
 * Text from files is hostile: a tag value can carry terminal escape sequences, bidirectional
 * overrides or NULs. Everything printed passes through here.
 */

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, and zero-width/invisible formatting.
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** Removes control and invisible formatting characters; keeps everything printable. */
export function sanitize(text: string, maxLength = 500): string {
  const clean = text.replace(unsafeCharacters, '');
  return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

/** Deep copy of a JSON-able value with every string sanitised (JSON escapes C0, not the rest). */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value, 10_000) as T;
  if (Array.isArray(value)) return value.map((item) => sanitizeDeep(item)) as T;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[sanitize(key, 200)] = sanitizeDeep(item);
    return result as T;
  }
  return value;
}
