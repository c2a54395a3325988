/** Quotes a path for a POSIX shell line that a person may paste: single quotes, nothing expands inside. */
export function shellQuote(text: string): string {
  if (/^[A-Za-z0-9_./@%+=:,-]+$/.test(text) && !text.startsWith('-')) return text;
  const quoted = `'${text.replace(/'/g, `'\\''`)}'`;
  // A name that starts with a dash would be read as an option: put it after `--`-safe ./ prefix.
  return text.startsWith('-') ? `'./${text.replace(/'/g, `'\\''`)}'` : quoted;
}
