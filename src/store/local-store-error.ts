/**
 * SQLite result codes that say something about this machine, not about the
 * work: the file is locked by another process, the disk is full or failing,
 * memory ran out. The same work succeeds once the machine recovers, so these
 * are always transient: a lead or event is never dead-lettered for them.
 */
const LOCAL_SQLITE_CODES = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_PROTOCOL",
  "SQLITE_INTERRUPT",
];
/** The same, as the operating system reports them. */
const LOCAL_ERRNOS = new Set(["ENOSPC", "EIO", "EDQUOT", "EROFS", "EMFILE", "ENFILE", "ENOMEM"]);

/** True when `error` (or one of its causes) is a failure of the local state file or disk. */
export function isLocalStoreError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, …) share their primary code's prefix.
    if (LOCAL_SQLITE_CODES.some((primary) => code === primary || code.startsWith(`${primary}_`))) return true;
    if (LOCAL_ERRNOS.has(code)) return true;
  }
  return false;
}
