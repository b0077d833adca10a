import { STATUS_CODES } from "node:http";
import { NotionApiError, type AdditionalData } from "./notion-api-error.js";

const CODE_FOR_STATUS: Record<number, string> = {
  400: "validation_error",
  401: "unauthorized",
  403: "restricted_resource",
  404: "object_not_found",
  409: "conflict_error",
  429: "rate_limited",
  500: "internal_server_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout",
  529: "service_overload",
};

const MESSAGE_FOR_STATUS: Record<number, string> = {
  409: "Conflict occurred while saving. Please try again.",
  429: "You have been rate limited. Please try again in a few minutes.",
  500: "Unexpected error occurred.",
  502: "Bad gateway.",
  503: "Notion is unavailable. This can occur when the time to respond to a request takes longer than 60 seconds, the maximum request timeout. Please try again later.",
  504: "Notion timed out while processing the request. Please try again later.",
  529: "Notion is currently overloaded. Please try again later.",
};

/** The JSON error Notion answers for a bare status (outages and injected faults). */
export function errorForStatus(
  status: number,
  opts: { code?: string; retryAfterSeconds?: number; additionalData?: AdditionalData } = {},
): NotionApiError {
  const headers: Record<string, string> = {};
  let additionalData = opts.additionalData;
  if (opts.retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(opts.retryAfterSeconds);
    // Notion repeats the wait in the body of its 429s and 529s.
    if (status === 429 || status === 529) additionalData = { retry_after: opts.retryAfterSeconds, ...additionalData };
  }
  const extra = additionalData === undefined ? { headers } : { headers, additionalData };
  return new NotionApiError(
    status,
    opts.code ?? CODE_FOR_STATUS[status] ?? "internal_server_error",
    MESSAGE_FOR_STATUS[status] ?? STATUS_CODES[status] ?? "Unexpected error occurred.",
    extra,
  );
}

/** A 429 as Notion sends it: the reason, and the wait in the header and the body. */
export function rateLimitedError(reason: string, retryAfterSeconds: number): NotionApiError {
  return errorForStatus(429, { retryAfterSeconds, additionalData: { rate_limit_reason: reason } });
}

/** What a proxy in front of Notion (Cloudflare) answers when the API behind it fails. */
export function proxyErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
}
