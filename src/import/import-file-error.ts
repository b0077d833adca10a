/**
 * The file cannot be imported as a whole; nothing was written.
 * - `file_unreadable`: missing, not UTF-8, or not CSV past some line.
 * - `no_email_column`: no header names an email column (the message lists the headers seen).
 * - `import_running`: another run imports the same file into the same database right now.
 */
export class ImportFileError extends Error {
  override readonly name = "ImportFileError";

  constructor(
    readonly code: "file_unreadable" | "no_email_column" | "import_running",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
