import { createHmac, randomBytes } from "node:crypto";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./emulator-limits.js";
import { bodyValidationError, validationError } from "./notion-api-error.js";

export type CursorCodec = ReturnType<typeof createCursorCodec>;
type CursorPayload = { scope: string; next: string; served: number };

/**
 * Cursors are opaque and signed with a per-emulator key, so a cursor from
 * another query, another emulator or a typo is refused instead of guessed at.
 */
export function createCursorCodec(key: Buffer = randomBytes(16)) {
  const sign = (body: string) => createHmac("sha256", key).update(body).digest("base64url").slice(0, 16);
  return {
    encode(payload: CursorPayload): string {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    decode(raw: string): CursorPayload | undefined {
      const [body, mac, extra] = raw.split(".");
      if (body === undefined || mac === undefined || extra !== undefined || sign(body) !== mac) return undefined;
      try {
        const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
        return payload as CursorPayload;
      } catch {
        return undefined;
      }
    },
  };
}

export function parsePageSize(raw: unknown, path: string): number {
  if (raw === undefined || raw === null) return DEFAULT_PAGE_SIZE;
  if (typeof raw !== "number" || !Number.isInteger(raw))
    throw bodyValidationError(`${path} should be an integer, instead was \`${JSON.stringify(raw)}\`.`);
  if (raw > MAX_PAGE_SIZE)
    throw bodyValidationError(`${path} should be ≤ \`${MAX_PAGE_SIZE}\`, instead was \`${raw}\`.`);
  if (raw < 1) throw bodyValidationError(`${path} should be ≥ \`1\`, instead was \`${raw}\`.`);
  return raw;
}

export type PageOfResults<T> = {
  results: T[];
  next_cursor: string | null;
  has_more: boolean;
  request_status?: { type: "incomplete"; incomplete_reason: "query_result_limit_reached" };
};

/**
 * Cuts one page out of the full, ordered result list. `scope` ties a cursor to
 * the query that made it; `maxResults` caps the whole chain like Notion's
 * 10,000-result limit, answering the capped page as the last one.
 */
export function paginate<T extends { id: string }>(
  items: ReadonlyArray<T>,
  opts: {
    codec: CursorCodec;
    scope: string;
    startCursor: unknown;
    pageSize: number;
    maxResults?: number;
    /** Which page of a capped chain says so. @default "capped-page" */
    reportIncompleteOn?: "capped-page" | "first-page";
  },
): PageOfResults<T> {
  let start = 0;
  let served = 0;
  if (opts.startCursor !== undefined && opts.startCursor !== null) {
    const payload = typeof opts.startCursor === "string" ? opts.codec.decode(opts.startCursor) : undefined;
    if (payload === undefined || payload.scope !== opts.scope) {
      throw validationError(`The start_cursor provided is invalid: ${JSON.stringify(opts.startCursor)}`);
    }
    served = payload.served;
    const at = items.findIndex((item) => item.id === payload.next);
    start = at >= 0 ? at : Math.min(served, items.length);
  }
  const max = opts.maxResults ?? Number.POSITIVE_INFINITY;
  const take = Math.max(0, Math.min(opts.pageSize, max - served));
  const results = items.slice(start, start + take);
  const nextItem = items[start + take];
  const chainCapped = served + (items.length - start) > max;
  const early = opts.reportIncompleteOn === "first-page";
  const incomplete = { type: "incomplete", incomplete_reason: "query_result_limit_reached" } as const;
  const flag = chainCapped && (early ? served === 0 : nextItem !== undefined && served + results.length >= max);
  const status = flag ? { request_status: incomplete } : {};
  if (nextItem === undefined || served + results.length >= max) {
    return { results, next_cursor: null, has_more: false, ...status };
  }
  const next_cursor = opts.codec.encode({ scope: opts.scope, next: nextItem.id, served: served + results.length });
  return { results, next_cursor, has_more: true, ...status };
}
