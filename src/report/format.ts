/**
 * Display helpers shared by every report: sizes and dates for people. Decoders keep raw values; the
 * readable report renders them here so one file speaks one format.
 */

/** `1.5 MB`-style size. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

const datePattern = /^(\d{4})[:-](\d{2})[:-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const offsetPattern = /^([+-])(\d{2}):?(\d{2})$/;

/** `+0200`/`+02:00` → `+02:00`, `Z` → `Z`; undefined when it is not an offset. */
export function normaliseOffset(offset: string | undefined): string | undefined {
  if (!offset) return undefined;
  const trimmed = offset.trim();
  if (trimmed === 'Z') return 'Z';
  const match = offsetPattern.exec(trimmed);
  return match ? `${match[1]}${match[2]}:${match[3]}` : undefined;
}

/**
 * One date format for every report: ISO 8601 with a space, `2012-09-29 16:11:25`, plus the offset
 * where the file has one (`+02:00`, `Z`). A date alone stays a date: no time is invented.
 * Undefined when the text is not a date (renderers then show it as it is).
 */
export function formatDate(value: string, offset?: string): string | undefined {
  const match = datePattern.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds, , zone] = match;
  if (Number(year) === 0 || Number(month) === 0 || Number(day) === 0 || Number(month) > 12 || Number(day) > 31) return undefined;
  const date = `${year}-${month}-${day}`;
  if (hours === undefined) return date;
  const shownOffset = normaliseOffset(zone) ?? normaliseOffset(offset);
  return `${date} ${hours}:${minutes}${seconds !== undefined ? `:${seconds}` : ''}${shownOffset ? ` ${shownOffset}` : ''}`;
}
