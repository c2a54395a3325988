/**
 * One scanned file's report as `scan` prints it (plain words or a JSON line) and its digest for
 * the summary. In a folder run this runs in the worker thread that read the file: the risk is
 * assessed, places named and the text rendered there, in parallel, and only strings and the small
 * digest cross to the thread that prints (an inspection's object graph costs that thread a
 * structured clone and garbage collection per file; measured on 200 phone photos, the printing
 * thread was the third busy thread on two cores).
 */
import type { Inspection } from '../types.js';
import { annotateInspection } from './annotate.js';
import { assessRisk, type RiskAssessment } from './risk.js';
import { sanitizeDeep } from './sanitize.js';
import { digestScan, type ScanDigest } from './summary.js';
import { renderHeadline, renderInspection } from './text.js';

/** How `scan` shows each file (its flags). */
export interface FileReportOptions {
  /** A JSON line (docs/inspection.schema.json) instead of text. */
  json?: boolean;
  /** The headline only. */
  summary?: boolean;
  /** The headline only, and nothing for a file that reveals nothing and was read in full. */
  quiet?: boolean;
  /** Every finding (the default report shows what matters and counts the rest). */
  details?: boolean;
}

export interface FileReport {
  /** What to print for the file (already sanitised); undefined when nothing is printed for it. */
  text?: string;
  digest: ScanDigest;
}

/** One inspection as a JSON line: place names and risk added, every string sanitised. */
export function inspectionJson(inspection: Inspection, risk?: RiskAssessment): string {
  return JSON.stringify(sanitizeDeep(annotateInspection(inspection, risk)));
}

/**
 * One file's text: the headline only with --summary, and with --quiet only for files that reveal
 * something (or could not be read in full); the readable report by default; every finding with --details.
 */
export function renderFileText(inspection: Inspection, options: FileReportOptions, risk: RiskAssessment = assessRisk(inspection)): string | undefined {
  if (options.summary || options.quiet) {
    if (options.quiet && !options.summary && risk.level === 'none') return undefined;
    return renderHeadline(inspection, risk);
  }
  return `${renderInspection(inspection, risk, { details: options.details ?? false })}\n`;
}

/** The file's printed report and its digest, from one risk assessment. */
export function reportFile(inspection: Inspection, options: FileReportOptions): FileReport {
  const risk = assessRisk(inspection);
  const text = options.json ? inspectionJson(inspection, risk) : renderFileText(inspection, options, risk);
  return { ...(text !== undefined ? { text } : {}), digest: digestScan(inspection, risk) };
}
