/** A create not sent at all: Notion refuses creates, and this one was not the hold's probe. */
export class CreatesHeldError extends Error {
  override readonly name = "CreatesHeldError";
  readonly code = "creates_held";

  constructor(readonly sinceMs: number) {
    super("Notion refuses creates; held until the next probe");
  }
}

export function isCreatesHeldError(error: unknown): error is CreatesHeldError {
  return error instanceof CreatesHeldError;
}
