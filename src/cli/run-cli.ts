import { describeFailure } from "../notion/describe-failure.js";

/**
 * Runs an entry point and turns a startup failure into a short message a
 * person can act on and a non-zero exit status, instead of a stack trace.
 */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${describeFailure(error)}\n`);
      process.exitCode = 1;
    },
  );
}
