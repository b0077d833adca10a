/** A message the server cannot read as an email (answered 400; nothing is stored). */
export class UnreadableEmailError extends Error {
  readonly code = "unreadable_email" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnreadableEmailError";
  }
}

export function isUnreadableEmailError(error: unknown): error is UnreadableEmailError {
  return error instanceof UnreadableEmailError;
}
