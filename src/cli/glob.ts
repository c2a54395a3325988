/**
 * Minimal glob matching for `--exclude` and glob arguments (Node 20 has no fs.glob):
 * `*` any run of characters within one path segment, `**` any number of segments, `?` one
 * character, `[abc]`/`[!abc]` character classes, `{a,b}` alternatives.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '*') {
      if (pattern[index + 1] === '*') {
        const slashAfter = pattern[index + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        index += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const close = pattern.indexOf(']', index + 1);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = pattern.slice(index + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, '\\\\')}]`;
      index = close;
    } else if (char === '{') {
      const close = pattern.indexOf('}', index + 1);
      if (close === -1) {
        source += '\\{';
        continue;
      }
      source += `(?:${pattern.slice(index + 1, close).split(',').map(escapeRegExp).join('|')})`;
      index = close;
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
}

export function hasGlobCharacters(text: string): boolean {
  return /[*?[{]/.test(text);
}

/**
 * True when `relativePath` (with `/` separators) matches the pattern: a pattern without a slash
 * matches any single path segment (like .gitignore), one with a slash matches the whole path.
 */
export function matchesGlob(pattern: string, relativePath: string): boolean {
  const path = relativePath.split('\\').join('/');
  const regex = globToRegExp(pattern.replace(/^\.\//, '').replace(/\/$/, ''));
  if (!pattern.includes('/')) return path.split('/').some((segment) => regex.test(segment));
  return regex.test(path) || regex.test(path.split('/').slice(1).join('/'));
}
