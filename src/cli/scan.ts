/** `traceless scan PATH...`: what each file reveals, in plain words or JSON lines, with a folder summary. */
import { availableParallelism } from 'node:os';
import { runTasks } from '../batch/pool.js';
import type { Task } from '../batch/tasks.js';
import { inspectSync } from '../inspect.js';
import { renderInspection } from '../report/text.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import type { Inspection } from '../types.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, looksLikeMedia, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';
import { Progress } from './progress.js';
import { readStdin } from './stdin.js';
import { colourEnabled, colours, renderScanSummary, summariseScans } from './summary.js';

export interface ScanOptions extends WalkOptions {
  json?: boolean;
  jobs?: string | number;
  quiet?: boolean;
}

export function jobsFrom(value: string | number | undefined): number {
  if (value === undefined) return availableParallelism();
  const jobs = Number(value);
  return Number.isInteger(jobs) && jobs > 0 ? jobs : availableParallelism();
}

export async function runScan(paths: string[], options: ScanOptions, output: Output): Promise<number> {
  const started = Date.now();
  if (paths.length === 1 && paths[0] === '-') {
    const content = await readStdin();
    try {
      const inspection = content.kind === 'buffer' ? inspectSync(content.data, '<stdin>') : { ...inspectSync(content.path), file: '<stdin>' };
      output.out(options.json ? JSON.stringify(sanitizeDeep(inspection)) : renderInspection(inspection));
      return exitCodes.ok;
    } finally {
      if (content.kind === 'file') content.cleanup();
    }
  }
  const inputs = expandInputs(paths, options);
  const tasks: Task[] = inputs.map((input, id) => ({ kind: 'scan', id, path: input.path }));
  const progress = new Progress({ enabled: Progress.shouldShow(options.quiet), totalFiles: inputs.length, totalBytes: inputs.reduce((total, input) => total + input.size, 0) });
  const inspections: Inspection[] = [];
  let unreadable = 0;
  let code: number = exitCodes.ok;
  await runTasks(tasks, jobsFrom(options.jobs), (result) => {
    if (result.kind !== 'scan') return;
    const input = inputs[result.id]!;
    progress.advance(input.size);
    progress.clear();
    if (result.inspection) {
      // Files found by walking a folder that are not media at all are skipped silently.
      if (!input.direct && result.inspection.format.id === 'unknown' && !looksLikeMedia(input.path)) return progress.redraw();
      inspections.push(result.inspection);
      output.out(options.json ? JSON.stringify(sanitizeDeep(result.inspection)) : `${renderInspection(result.inspection)}\n`);
    } else if (result.error) {
      unreadable += 1;
      code = exitCodes.usage;
      if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, error: result.error })));
      else output.err(sanitize(result.error.message));
    }
    progress.redraw();
  });
  progress.finish();
  if (inputs.length > 1 || inputs.some((input) => !input.direct)) {
    const summary = summariseScans(inspections, unreadable, (Date.now() - started) / 1000);
    output.out(options.json ? JSON.stringify(sanitizeDeep({ summary })) : renderScanSummary(summary, colours(colourEnabled())));
  }
  return code;
}
