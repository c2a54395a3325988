/** `inspect`: sniff the format from the bytes, walk the container, and return every finding. */
import { asTracelessError } from './errors.js';
import { detectFormat, sniffLength } from './formats/index.js';
import type { FormatHandler } from './formats/types.js';
import { sourceFor, type ByteSource, type Input } from './io/source.js';
import type { FormatInfo, Inspection } from './types.js';

export const unknownFormat: FormatInfo = { id: 'unknown', name: 'unknown', cleanable: false };

export function formatInfo(handler: FormatHandler | undefined): FormatInfo {
  return handler ? { id: handler.id, name: handler.name, cleanable: handler.cleanable } : unknownFormat;
}

export function handlerFor(source: ByteSource): FormatHandler | undefined {
  return detectFormat(source.read(0, Math.min(sniffLength, source.size)));
}

/** Inspects an open source. Throws TracelessError (only) when the container is unreadable. */
export function inspectSource(source: ByteSource, handler = handlerFor(source)): Inspection {
  const inspection: Inspection = {
    file: source.name,
    format: formatInfo(handler),
    size: source.size,
    blocks: [],
    findings: [],
    locations: [],
    warnings: [],
    unreadable: [],
  };
  if (!handler) {
    inspection.unreadable.push('the whole file: not a photo or video format traceless recognises');
    return inspection;
  }
  try {
    const report = handler.inspect(source);
    Object.assign(inspection, {
      blocks: report.blocks,
      findings: report.findings,
      locations: report.locations,
      warnings: report.warnings,
      unreadable: report.unreadable,
    });
  } catch (error) {
    throw asTracelessError(error, source.name);
  }
  return inspection;
}

/**
 * Reports every metadata block and decoded finding of a file (path) or of bytes (Buffer), on the
 * calling thread (the async `inspect` in `src/library/api.ts` runs this on a worker).
 * @example const report = inspectSync('IMG_1234.jpg'); report.locations[0]?.latitude
 */
export function inspectSync(input: Input, name?: string): Inspection {
  let source: ByteSource;
  try {
    source = sourceFor(input, name);
  } catch (error) {
    throw asTracelessError(error, typeof input === 'string' ? input : name);
  }
  try {
    return inspectSource(source);
  } finally {
    source.close();
  }
}
