/**
 * The ICC profile a cleaner keeps, re-written through `src/decode/icc.ts`: a well-known standard
 * profile stays as it is; any other is re-written (colour data bit for bit, text neutral, device
 * fields and dates zeroed, private tags and slack dropped). One place for every container.
 */
import { sanitiseIccProfile } from '../decode/icc.js';
import { asTracelessError } from '../errors.js';
import type { PlanBuilder } from './plan-builder.js';

/**
 * The profile to write for `profile` found at `where`, with what the re-write removed recorded on
 * `plan`; `null` when the profile cannot be read (it is removed: readers ignore a broken profile).
 */
export function keptIccProfile(profile: Buffer, where: string, plan: PlanBuilder): Buffer | null {
  let sanitised;
  try {
    sanitised = sanitiseIccProfile(profile, where);
  } catch (error) {
    plan.remove(where, 'icc', profile.length, `an unreadable colour profile (${asTracelessError(error).message})`);
    return null;
  }
  if (sanitised.removed.length > 0 || !sanitised.profile.equals(profile)) {
    const note = sanitised.removed.length > 0 ? sanitised.removed.join('; ') : 'header fields neutralised';
    plan.remove(where, 'icc', Math.max(0, profile.length - sanitised.profile.length), `colour profile re-written: ${note}`);
  }
  plan.keep(sanitised.standard ? `ICC colour profile (${sanitised.standard})` : 'ICC colour profile (re-written)');
  return sanitised.profile;
}
