/**
 * Why a request got no HTTP answer at all, in one word for logs and retry
 * decisions: "timeout", the system or undici error code (ECONNREFUSED,
 * UND_ERR_SOCKET...), "fetch failed", or undefined when the error is not a
 * network failure. undici reports network failures as `TypeError: fetch failed`
 * with the system error as its cause.
 */
export function networkReason(error: unknown): string | undefined {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (code.startsWith("E") || code.startsWith("UND_ERR"))) return code;
  }
  return error instanceof TypeError && error.message === "fetch failed" ? "fetch failed" : undefined;
}
