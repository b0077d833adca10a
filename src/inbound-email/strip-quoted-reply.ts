/** The longest snippet kept of an email's text (the contract's 280 characters). */
export const SNIPPET_MAX_CHARS = 280;

const QUOTE_HEADER = /^On\b[\s\S]*\bwrote:$/;
const FORWARD_OR_ORIGINAL = /^-{2,}\s*(?:Original Message|Forwarded message)\s*-{2,}/i;
/** Outlook's quoted header block starts with the original's From line after a rule or a blank. */
const OUTLOOK_FROM = /^From:\s.+/;

/**
 * The new text of a reply: what the sender wrote above the quote. Cut at an
 * "On … wrote:" line (also when a mail program wrapped it over two lines),
 * a "-- " signature delimiter (RFC 3676), an "Original Message" or
 * "Forwarded message" rule or an Outlook "From:" header block; `>` lines are
 * left out wherever they are.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const kept: string[] = [];
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (line === "-- " || trimmed === "--") break;
    if (FORWARD_OR_ORIGINAL.test(trimmed)) break;
    if (QUOTE_HEADER.test(trimmed)) break;
    const next = lines[index + 1]?.trim() ?? "";
    if (trimmed.startsWith("On ") && QUOTE_HEADER.test(`${trimmed} ${next}`)) break;
    if (OUTLOOK_FROM.test(trimmed) && (kept.at(-1)?.trim() ?? "") === "" && kept.length > 0) break;
    if (trimmed.startsWith(">")) continue;
    kept.push(line);
  }
  return kept.join("\n").trim();
}

/**
 * At most SNIPPET_MAX_CHARS characters of a text, whitespace runs folded,
 * cut at a word where it can be and marked with an ellipsis; undefined for
 * no text. Counted in code points, so a cut never splits an emoji.
 */
export function snippetOf(text: string | undefined): string | undefined {
  const folded = text?.replace(/\s+/g, " ").trim();
  if (folded === undefined || folded === "") return undefined;
  const chars = [...folded];
  if (chars.length <= SNIPPET_MAX_CHARS) return folded;
  const head = chars.slice(0, SNIPPET_MAX_CHARS - 1).join("");
  const atWord = head.lastIndexOf(" ");
  return `${(atWord > SNIPPET_MAX_CHARS / 2 ? head.slice(0, atWord) : head).trimEnd()}…`;
}
