/**
 * Brands a clean `ftyp` may name: the registered HEIF, MIAF and AVIF brands and the ISOBMFF base
 * brands image sequences declare. Any other brand is four bytes a writer chose freely, so it goes.
 * References: ISO/IEC 23008-12:2022 section 10 and annex B; MIAF ISO/IEC 23000-22 section 10;
 * AVIF 1.1 section 6; ISO/IEC 14496-12:2022 annex E; MP4RA brand registry.
 */
import { imageBrands } from './sniff.js';

export const registeredBrands: ReadonlySet<string> = new Set([
  ...imageBrands,
  'mif3', 'heim', 'heis', 'avio', 'jpeg', 'jpgs', 'j2ki', 'j2is', 'vvic', 'vvis', 'unif', '1pic', 'pred',
  'MA1A', 'MA1B', 'MiHA', 'MiHB', 'MiHE', 'MiHM', 'MiPr', 'MiAn', 'MiCm', 'MiCS', 'MiTi', 'MiAC',
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'mp41', 'mp42', 'msf1',
]);
