/** For contract commands whose feature has not landed yet: say so plainly and fail. */
export function notBuiltYet(command: string, issue: string): never {
  process.stderr.write(`${command} is not built yet (${issue}). See README.md for what works today.\n`);
  process.exit(2);
}
