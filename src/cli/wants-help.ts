/** Whether a command was asked for its help (`--help` or `-h`), before it reads any setting. */
export function wantsHelp(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes("--help") || argv.includes("-h");
}
