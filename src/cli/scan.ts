/** `traceless scan PATH...`: what each file reveals, in plain words or JSON lines. */
import { asTracelessError } from '../errors.js';
import { inspectSync } from '../inspect.js';
import { renderInspection } from '../report/text.js';
import { sanitize, sanitizeDeep } from '../report/sanitize.js';
import { exitCodes } from './exit-codes.js';
import { expandInputs, type WalkOptions } from './inputs.js';
import type { Output } from './output.js';

export interface ScanOptions extends WalkOptions {
  json?: boolean;
}

export function runScan(paths: string[], options: ScanOptions, output: Output): number {
  let code: number = exitCodes.ok;
  for (const input of expandInputs(paths, options)) {
    try {
      const inspection = inspectSync(input.path);
      if (!input.direct && inspection.format.id === 'unknown') continue; // not media: skipped when walking folders
      output.out(options.json ? JSON.stringify(sanitizeDeep(inspection)) : `${renderInspection(inspection)}\n`);
    } catch (error) {
      const problem = asTracelessError(error, input.path);
      code = exitCodes.usage;
      if (options.json) output.out(JSON.stringify(sanitizeDeep({ file: input.path, error: { code: problem.code, message: problem.describe() } })));
      else output.err(`${sanitize(problem.describe())}`);
    }
  }
  return code;
}
