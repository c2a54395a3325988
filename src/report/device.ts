/** Which device made a file, in a few words, from its findings' meanings (`make`, `model`). */
import type { Finding, Inspection } from '../types.js';
import { hasMeaning } from './meaning.js';

/** Numbers, rationals, codes and hashes are never shown as a device name. */
const notAName = /^(?:[-+]?[\d.]+(?:\/[\d.]+)?[\s,;/]*)+$|^[0-9a-f]{16,}$/i;

function first(inspection: Inspection, meaning: 'make' | 'model'): string | undefined {
  const found = inspection.findings.find((finding: Finding) => !finding.retained && hasMeaning(finding, meaning) && finding.text.trim() !== '' && !notAName.test(finding.text.trim()));
  return found?.text.trim();
}

/** `Apple iPhone 12`-style device name from a file's findings (raw text: renderers sanitise). */
export function deviceOf(inspection: Inspection): string | undefined {
  const make = first(inspection, 'make');
  const model = first(inspection, 'model');
  if (!make && !model) return undefined;
  if (make && model) return model.toLowerCase().startsWith(make.toLowerCase()) ? model : `${make} ${model}`;
  return make || model;
}
