/** The one place where outcomes become exit codes (a public contract: scripts depend on it). */
export const exitCodes = {
  ok: 0,
  /**
   * clean: a file was refused or failed; check: a file carries location or device metadata, or
   * could not be read in full (it cannot be shown to be clean).
   */
  problem: 1,
  /**
   * Bad usage, or (check, scan) an input that cannot be opened (missing, permission, a folder
   * error). A damaged file is not one: scan reports what it could read, with exit 0.
   */
  usage: 2,
} as const;
