/**
 * Recognises HEIF/AVIF files from their first bytes: an `ftyp` box at offset 0 whose major or
 * compatible brands (those within the first 64 bytes) include an image brand. Canon CR3 (major
 * brand `crx `) is an ISOBMFF file too, but not a HEIF image; plain MP4/MOV files carry no image
 * brand and are left to the video handler.
 * References: ISO/IEC 23008-12:2022 section 10 and annex B (brands); MIAF section 10; AVIF 1.1 section 6.
 */

/** Image and image-sequence brands of HEIF, MIAF and AVIF. */
export const imageBrands: ReadonlySet<string> = new Set([
  'mif1', 'mif2', 'msf1', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'avif', 'avis', 'miaf',
]);

export function sniffHeif(head: Buffer): boolean {
  if (head.length < 16 || head.toString('latin1', 4, 8) !== 'ftyp') return false;
  const size = head.readUInt32BE(0);
  if (size < 16) return false;
  const major = head.toString('latin1', 8, 12);
  if (major === 'crx ') return false;
  const brands = [major];
  const end = Math.min(size, head.length);
  for (let at = 16; at + 4 <= end; at += 4) brands.push(head.toString('latin1', at, at + 4));
  return brands.some((brand) => imageBrands.has(brand));
}
