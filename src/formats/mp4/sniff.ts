/**
 * Recognises movies from their first bytes: an `ftyp` box whose brands name a movie format
 * (ISO/IEC 14496-12 §4.3, 14496-14, QuickTime `qt  `, 3GPP TS 26.244 §5.4), or a QuickTime file
 * without `ftyp` that starts with a `moov`, `mdat`, `wide`, `free`, `skip` or `pnot` atom.
 * Image brands (HEIF/AVIF, handled by the HEIF format) and Canon CR3 (`crx `) are not claimed.
 */

const movieBrands = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'isml', 'mp41', 'mp42', 'mp71', 'avc1', 'hvc1', 'hev1', 'av01',
  'M4V ', 'M4VH', 'M4VP', 'M4A ', 'M4B ', 'M4P ', 'F4V ', 'F4P ', 'qt  ', 'mqt ', 'MSNV', 'XAVC', 'NDAS', 'NDSC', 'NDSH', 'NDSM', 'NDSP', 'NDSS', 'NDXC', 'NDXH', 'NDXM', 'NDXP', 'NDXS',
  '3gp4', '3gp5', '3gp6', '3gp7', '3gp8', '3gp9', '3gg6', '3gg9', '3gr6', '3gr9', '3gs6', '3gs9', '3ge6', '3ge7', '3ge9', '3gf9', '3gh9', '3gm9', '3g2a', '3g2b', '3g2c', 'KDDI', 'kddi',
  'dash', 'dsms', 'msdh', 'msix', 'cmfc', 'cmff', 'cmf2', 'cmfl', 'cmfs', 'CAEP', 'caqv', 'mmp4', 'mp4v', 'sdv ', 'ssc1', 'ssc2', 'XAVC', 'MPPI', 'M4A ', 'aax ', 'niko', 'CAEP',
]);

/** Image and raw brands that other formats own. */
const imageBrands = new Set([
  'mif1', 'mif2', 'msf1', 'miaf', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'avif', 'avis', 'avci', 'avcs', 'jpeg', 'jpgs',
  'MiHE', 'MiHA', 'MiHB', 'MiAC', 'MiPr', 'crx ', 'jp2 ', 'jpx ', 'jpm ', 'mjp2', 'jxl ', 'j2ki', 'j2is', 'vvic', 'vvis', 'evbi', 'evbs', 'evmi', 'evms',
]);

/** QuickTime atoms a file may start with when it has no `ftyp`. */
const quickTimeFirstAtoms = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

const plausibleType = (text: string) => /^[\x20-\x7e\xa9]{4}$/.test(text);

export function isMp4(head: Buffer): boolean {
  if (head.length < 8) return false;
  const size = head.readUInt32BE(0);
  const type = head.toString('latin1', 4, 8);
  if (type === 'ftyp') {
    if (size < 16 || head.length < 12) return false;
    const major = head.toString('latin1', 8, 12);
    if (imageBrands.has(major)) return false;
    if (movieBrands.has(major)) return true;
    for (let offset = 16; offset + 4 <= Math.min(size, head.length); offset += 4) {
      const brand = head.toString('latin1', offset, offset + 4);
      if (imageBrands.has(brand)) return false;
      if (movieBrands.has(brand)) return true;
    }
    return false;
  }
  if (!quickTimeFirstAtoms.has(type)) return false;
  if (size !== 0 && size !== 1 && size < 8) return false;
  if (type === 'wide' && size !== 8) return false;
  // The next atom header, when it falls inside the head, must look like one.
  if (size >= 8 && size + 8 <= head.length) return plausibleType(head.toString('latin1', size + 4, size + 8));
  if (type === 'moov' && head.length >= 16) return plausibleType(head.toString('latin1', 12, 16));
  return true;
}
