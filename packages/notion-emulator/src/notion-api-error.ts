/** Notion's `additional_data`: strings mostly, and numbers where Notion sends numbers (`retry_after`). */
export type AdditionalData = Record<string, string | string[] | number>;

/**
 * An error the emulator answers as Notion's JSON error object. Everything that
 * rejects a request throws one of these, so the server has one error path.
 */
export class NotionApiError extends Error {
  override readonly name = "NotionApiError";
  readonly status: number;
  readonly code: string;
  readonly additionalData: AdditionalData | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { additionalData?: AdditionalData; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.additionalData = extra.additionalData;
    this.headers = extra.headers ?? {};
  }
}

export function isNotionApiError(error: unknown): error is NotionApiError {
  return error instanceof NotionApiError;
}

export function validationError(message: string): NotionApiError {
  return new NotionApiError(400, "validation_error", message);
}

/** Notion's wording for a body that does not fit the endpoint's schema. */
export function bodyValidationError(detail: string): NotionApiError {
  return validationError(`body failed validation: ${detail}`);
}

export type NotionObjectKind = "page" | "database" | "data_source" | "block" | "user";

export function objectNotFound(kind: NotionObjectKind, id: string): NotionApiError {
  const noun = kind === "data_source" ? "data source" : kind;
  return new NotionApiError(
    404,
    "object_not_found",
    `Could not find ${noun} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

export type NotionErrorBody = {
  object: "error";
  status: number;
  code: string;
  message: string;
  request_id: string;
  additional_data?: AdditionalData;
};

export function toErrorBody(error: NotionApiError, requestId: string): NotionErrorBody {
  const body: NotionErrorBody = {
    object: "error",
    status: error.status,
    code: error.code,
    message: error.message,
    request_id: requestId,
  };
  if (error.additionalData !== undefined) body.additional_data = error.additionalData;
  return body;
}
