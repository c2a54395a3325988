/** The HTML report: thumbnails, page, and writing it atomically. */
import { basename, dirname, join } from 'node:path';
import type { Inspection } from '../../types.js';
import { renderHtmlReport, type HtmlReportOptions } from './template.js';
import { makeThumbnails } from './thumbnails.js';
import { crypto, fsPromises } from '../../io/builtins.js';

export { renderHtmlReport, type HtmlEntry, type HtmlReportOptions } from './template.js';
export { makeThumbnail, makeThumbnails } from './thumbnails.js';
export { escapeHtml } from './escape.js';

export interface HtmlSource {
  inspection: Inspection;
  /** What to make the thumbnail from: a path or the bytes; the inspection's file when left out. */
  input?: string | Buffer;
}

export interface BuildHtmlOptions extends HtmlReportOptions {
  /** Make previews (default true); without them every file gets a placeholder. */
  thumbnails?: boolean;
}

export async function buildHtmlReport(sources: readonly HtmlSource[], options: BuildHtmlOptions = {}): Promise<string> {
  const thumbnails = options.thumbnails === false
    ? sources.map(() => null)
    : await makeThumbnails(sources.map((source) => ({ input: source.input ?? source.inspection.file, format: source.inspection.format, size: source.inspection.size })));
  return renderHtmlReport(sources.map((source, index) => ({ inspection: source.inspection, thumbnail: thumbnails[index] })), options);
}

/** Writes next to the target, flushes, then renames: readers see the old report or the whole new one. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fsPromises().open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsPromises().rename(temporary, path);
  } catch (error) {
    await fsPromises().rm(temporary, { force: true });
    throw error;
  }
}
