/**
 * Text from files is hostile, and in a web page it could become markup or script. Every string
 * that reaches the HTML report passes through here: control and invisible formatting characters
 * removed (as in the text report), then the five characters that mean something to HTML escaped,
 * so the result is safe in element content and in double- or single-quoted attributes alike.
 */
import { sanitize } from '../sanitize.js';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string, maxLength = 500): string {
  return sanitize(String(text), maxLength).replace(/[&<>"']/g, (character) => entities[character]!);
}
