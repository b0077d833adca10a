/**
 * A create held because Notion refuses creates: either this very create was
 * refused (403 restricted_resource, kept as `cause`), or it was not sent at
 * all because a hold is on and it was not the hold's one try.
 */
export class CreatesHeldError extends Error {
  override readonly name = "CreatesHeldError";
  readonly code = "creates_held";

  constructor(
    readonly sinceMs: number,
    readonly sent: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      sent ? "Notion refused the create (403 restricted_resource)" : "Notion refuses creates; held until the next try",
      options,
    );
  }
}

export function isCreatesHeldError(error: unknown): error is CreatesHeldError {
  return error instanceof CreatesHeldError;
}
