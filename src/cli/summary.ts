/** End-of-run summaries for batch scans and cleans, as text and as one JSON line. */
import { formatBytes } from '../report/format.js';
import type { CleanResult, CleanStatus } from '../types.js';
import { deviceOf } from '../report/device.js';
import { riskLevels, type RiskLevel } from '../report/risk.js';
import { livePhotoPairs, summariseScans, type ScanError, type ScanSummary, type SummaryPlace } from '../report/summary.js';
import { sanitize } from '../report/sanitize.js';
import { formatDuration } from './progress.js';
import { isTerminal } from '../io/builtins.js';

export interface Colours {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
}

export function colours(enabled: boolean): Colours {
  const wrap = (code: number, reset: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[${reset}m` : text);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), bold: wrap(1, 22) };
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colourEnabled(stream?: NodeJS.WriteStream): boolean {
  const onTerminal = stream ? stream.isTTY === true : isTerminal(1);
  return onTerminal && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

export interface CleanSummary {
  files: number;
  cleaned: number;
  alreadyClean: number;
  skipped: number;
  refused: number;
  failed: number;
  nonMediaSkipped: number;
  bytesRead: number;
  bytesWritten: number;
  seconds: number;
  dryRun: boolean;
  /** Dry runs: the bytes the outputs would have. */
  wouldWrite?: number;
}

/**
 * The clean summary counted as results come in: a folder run keeps these numbers, not every
 * result, so its memory does not grow with the number of files.
 */
export class CleanTally {
  private readonly counts: Record<CleanStatus, number> = { cleaned: 0, 'already-clean': 0, skipped: 0, refused: 0, failed: 0 };
  private files = 0;
  private bytesRead = 0;
  private bytesWritten = 0;
  private wouldWrite = 0;

  add(result: CleanResult): void {
    this.files += 1;
    this.counts[result.status] += 1;
    this.bytesRead += result.bytesRead ?? 0;
    this.bytesWritten += result.bytesWritten;
    this.wouldWrite += result.wouldWrite ?? 0;
  }

  summary(nonMediaSkipped: number, seconds: number, dryRun: boolean): CleanSummary {
    return {
      files: this.files,
      cleaned: this.counts.cleaned,
      alreadyClean: this.counts['already-clean'],
      skipped: this.counts.skipped,
      refused: this.counts.refused,
      failed: this.counts.failed,
      nonMediaSkipped,
      bytesRead: this.bytesRead,
      bytesWritten: this.bytesWritten,
      ...(dryRun ? { wouldWrite: this.wouldWrite } : {}),
      seconds: Math.round(seconds * 1000) / 1000,
      dryRun,
    };
  }
}

export function renderCleanSummary(summary: CleanSummary, colour: Colours): string {
  if (summary.dryRun) {
    // A dry run wrote nothing: it speaks in the conditional.
    const would = [`would clean ${summary.cleaned} file(s)`, `${summary.alreadyClean} already clean`, `${summary.skipped} would be skipped (output already there)`, `${summary.refused} would be refused`, `${summary.failed} failed`];
    return `Dry run, nothing written: ${would.join(', ')}; would write ${formatBytes(summary.wouldWrite ?? 0)} (checked in ${formatDuration(summary.seconds)})${summary.nonMediaSkipped ? `; ${summary.nonMediaSkipped} non-media file(s) ignored` : ''}`;
  }
  const parts = [
    colour.green(`${summary.cleaned} cleaned`),
    `${summary.alreadyClean} already clean`,
    `${summary.skipped} skipped (output already clean)`,
    (summary.refused ? colour.yellow : (text: string) => text)(`${summary.refused} refused`),
    (summary.failed ? colour.red : (text: string) => text)(`${summary.failed} failed`),
  ];
  const tail = `${formatBytes(summary.bytesWritten)} written in ${formatDuration(summary.seconds)}${summary.nonMediaSkipped ? `; ${summary.nonMediaSkipped} non-media file(s) ignored` : ''}`;
  return `${summary.dryRun ? 'Dry run (nothing written): ' : ''}${parts.join(', ')}; ${tail}`;
}

export { deviceOf, livePhotoPairs, summariseScans, type ScanError, type ScanSummary, type SummaryPlace };

/** How many names of each risk level, and how many places, the text summary lists before "and N more". */
const filesListedPerLevel = 5;
const placesListed = 10;
/** Devices named in the text summary before "and N more" (the JSON summary lists them all). */
const devicesListed = 10;

/** The first `limit` of `items` joined by `separator`, then "and N more" when there are more. */
function firstAndMore(items: readonly string[], limit: number, separator = ', '): string {
  const shown = items.slice(0, limit).join(separator);
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

export function renderScanSummary(summary: ScanSummary, colour: Colours): string {
  const problems: string[] = [];
  if (summary.unreadable) problems.push(`${summary.unreadable} could not be read`);
  if (summary.notReadInFull.length) problems.push(`${summary.notReadInFull.length} not read in full`);
  const lines = [
    colour.bold(`${summary.files + summary.unreadable} file(s) scanned in ${formatDuration(summary.seconds)}: ${summary.revealingLocation} reveal a location${problems.length ? `, ${problems.join(', ')}` : ''}`),
  ];
  const paint: Record<RiskLevel, (text: string) => string> = { high: colour.red, medium: colour.yellow, unknown: colour.yellow, low: (text) => text, none: colour.green };
  const levelWords: Record<RiskLevel, string> = { high: 'high', medium: 'medium', unknown: 'not checked', low: 'low', none: 'none' };
  lines.push(`  Risk: ${riskLevels.map((level) => paint[level](`${summary.risk[level]} ${levelWords[level]}`)).join(', ')}`);
  for (const level of riskLevels) {
    const files = summary.filesByRisk[level];
    if (!files.length) continue;
    lines.push(`    ${paint[level](levelWords[level])}: ${firstAndMore(files.map((file) => sanitize(file, 120)), filesListedPerLevel)}`);
  }
  if (summary.unreadableFiles.length) {
    lines.push(`  Could not be read (${summary.unreadableFiles.length}):`);
    for (const error of summary.unreadableFiles.slice(0, filesListedPerLevel * 2)) lines.push(`    ${sanitize(error.file, 120)}: ${sanitize(error.reason, 200)}`);
    if (summary.unreadableFiles.length > filesListedPerLevel * 2) lines.push(`    … and ${summary.unreadableFiles.length - filesListedPerLevel * 2} more`);
  }
  if (summary.notReadInFull.length) {
    lines.push(`  Not read in full (${summary.notReadInFull.length}): ${firstAndMore(summary.notReadInFull.map((file) => sanitize(file, 120)), filesListedPerLevel)}`);
  }
  if (summary.places.length) {
    lines.push(`  ${summary.places.length} distinct place(s) (rounded to ~1 km):`);
    for (const place of summary.places.slice(0, placesListed)) {
      lines.push(`    ${place.latitude.toFixed(2)},${place.longitude.toFixed(2)} ${sanitize(place.placeName, 120)} (${place.files} file(s))`);
    }
    if (summary.places.length > placesListed) lines.push(`    … and ${summary.places.length - placesListed} more`);
  }
  if (summary.devices.length) {
    lines.push(`  ${summary.devices.length} device(s): ${firstAndMore(summary.devices.map((entry) => `${sanitize(entry.device, 80)} (${entry.files})`), devicesListed, '; ')}`);
  }
  for (const [still, video] of summary.livePhotoPairs) lines.push(`  Live Photo: ${sanitize(still)} + ${sanitize(video)} — clean both halves`);
  return lines.join('\n');
}
