/**
 * Documented maximums. Anything past these is refused with LIMIT_EXCEEDED rather than walked,
 * so a crafted file cannot make traceless loop or allocate without bound.
 */
export const limits = {
  /** Segments (JPEG markers), chunks (PNG/RIFF) or blocks (GIF) walked in one file. */
  maxSegmentCount: 100_000,
  /** Entries in one TIFF/EXIF IFD. */
  maxIfdEntryCount: 4_096,
  /** IFDs followed in one TIFF structure (IFD chains, SubIFDs, Exif/GPS/Interop). */
  maxIfdCount: 512,
  /** Boxes walked in one ISOBMFF file. */
  maxBoxCount: 1_000_000,
  /**
   * Tracks in one movie. Real files have a handful (a film with many languages a few dozen); each
   * track costs every walk its sample tables, and a crafted file of thousands of copies of one
   * track (2 MB) kept a clean busy for seconds.
   */
  maxTrackCount: 256,
  /** Nesting depth of ISOBMFF boxes. */
  maxBoxDepth: 32,
  /** Nesting depth of XMP (RDF/XML) elements; real packets stay under 20. */
  maxXmpDepth: 64,
  /** A metadata payload we decode in memory (EXIF, XMP, IPTC, a moov box). */
  maxMetadataBytes: 256 * 1024 * 1024,
  /** Files up to this size are read whole into memory; larger ones are read in windows. */
  maxInMemoryFileBytes: 64 * 1024 * 1024,
} as const;
