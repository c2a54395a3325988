/**
 * ISO 6709 point strings for the MP4 walker: the one lenient parser lives in
 * `src/formats/isobmff/iso6709.ts` (Annex H forms and Android's short longitude `+51.5932-0.2431/`).
 * Kept as a re-export so every MP4 module imports its parser from one place.
 */
export { parseIso6709, type Iso6709Point } from '../isobmff/iso6709.js';
