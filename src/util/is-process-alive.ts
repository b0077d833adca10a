/**
 * Whether a process with this pid runs on this machine (signal 0 tests
 * without sending anything): a lock or claim left by a run killed with -9
 * is free at once, without waiting for its expiry. The state file is local,
 * so every holder ran on this machine.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
