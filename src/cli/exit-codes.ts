/** The one place where outcomes become exit codes (a public contract: scripts depend on it). */
export const exitCodes = {
  ok: 0,
  /** clean: a file was refused or failed; check: a file carries location or device metadata. */
  problem: 1,
  /** Bad usage, or (check, scan) an input that cannot be read. */
  usage: 2,
} as const;
