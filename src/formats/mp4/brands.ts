/**
 * File-type brands registered with the MP4 registration authority (https://mp4ra.org/registered-types/brands)
 * that movie files carry, plus Apple's `qt  `. A brand is four bytes a writer may choose freely, so an
 * unregistered one can carry text: it is replaced, in place, by the file's major brand.
 */
const registered = new Set([
  'isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'isoa', 'isob', 'isoc', 'mp41', 'mp42', 'mp71', 'mp21',
  'avc1', 'avc2', 'avc3', 'avc4', 'hvc1', 'hev1', 'hvc2', 'hev2', 'hvti', 'av01', 'vp09', 'vvc1', 'dby1', 'dash', 'msdh', 'msix',
  'M4V ', 'M4VH', 'M4VP', 'M4A ', 'M4B ', 'M4P ', 'qt  ', 'mjp2', 'mj2s', 'f4v ', 'f4p ', 'f4a ', 'f4b ', 'XAVC', 'MSNV', 'ROSS',
  '3gp4', '3gp5', '3gp6', '3gp7', '3gp8', '3gp9', '3gg6', '3gg9', '3gr6', '3gr9', '3gs6', '3gs9', '3ge6', '3ge7', '3ge9', '3gh9',
  '3gm9', '3gt9', '3g2a', '3g2b', '3g2c', 'kddi', 'cmfc', 'cmff', 'cmfl', 'cmfs', 'cmf2', 'caaa', 'caac', 'camp', 'ccea', 'ccff',
  'cdm1', 'cdm4', 'cfhd', 'cfsd', 'chd1', 'chdf', 'chh1', 'chhd', 'clg1', 'cud1', 'cug1', 'cvid', 'cwvt', 'piff', 'isml', 'mpuf',
  'NDAS', 'NDSC', 'NDSH', 'NDSM', 'NDSP', 'NDSS', 'NDXC', 'NDXH', 'NDXM', 'NDXP', 'NDXS', 'odcf', 'opf2', 'opx2', 'pana', 'sdv ',
  'ssc1', 'ssc2', 'uvvu', 'emsg', 'ifrm', 'relo', 'sims', 'tmsg', 'aid3', 'dmb1', 'dvr1', 'dvt1', 'nvr1', 'mif1', 'msf1', 'heic',
  'heix', 'hevc', 'hevx', 'avif', 'avis', 'MiHA', 'MiHB', 'MiHE', 'jpeg', 'CAEP', 'CDes', 'da0a', 'da0b', 'da1a', 'da1b', 'da2a',
  'da2b', 'da3a', 'da3b', 'dv1a', 'dv1b', 'dv2a', 'dv2b', 'dv3a', 'dv3b', 'MPPI', 'ISMV', 'LCAG', 'MFSM', 'MGSV', 'mp4v', 'niko',
]);

export function registeredBrand(brand: string): boolean {
  return registered.has(brand);
}
