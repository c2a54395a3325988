/** Which device made a file, in a few words, from its findings. */
import type { Inspection } from '../types.js';

/** `Apple iPhone 12`-style device name from a file's findings (raw text: renderers sanitise). */
export function deviceOf(inspection: Inspection): string | undefined {
  const make = inspection.findings.find((finding) => finding.category === 'device' && /(^|[:.])make$/i.test(finding.tag))?.text.trim();
  const model = inspection.findings.find((finding) => finding.category === 'device' && /(^|[:.])model$/i.test(finding.tag))?.text.trim();
  if (!make && !model) return undefined;
  if (make && model) return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return make || model;
}
