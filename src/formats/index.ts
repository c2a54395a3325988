/**
 * The explicit, ordered list of formats. Order matters only where magic numbers overlap: more
 * specific sniffers come first. No format registers itself by being imported.
 */
import type { FormatHandler } from './types.js';
import { jpeg } from './jpeg/index.js';

export const formats: readonly FormatHandler[] = [jpeg];

/** Bytes read from the start of a file for sniffing. */
export const sniffLength = 64;

/** The handler whose sniffer accepts these first bytes, or undefined for unknown bytes. */
export function detectFormat(head: Buffer): FormatHandler | undefined {
  return formats.find((format) => format.sniff(head));
}

export type { FormatHandler } from './types.js';
