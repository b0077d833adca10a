import { leadActionId, leadBlockId, type LeadAction } from "../slack/lead-buttons.js";

type Block = Record<string, unknown> & { type?: unknown; block_id?: unknown; elements?: unknown };

const doneBlockId = (pageId: string) => `crm_done:${pageId}`;

/**
 * The message's blocks once a button was used: that lead's button is gone
 * (the others stay), and a line under its buttons says who did what
 * ("Contacted by <@U…>"). A button kept (a claim that found no Notion user)
 * stays, with the line saying why. Blocks are Slack's own, passed back as given.
 */
export function clickedMessageBlocks(
  blocks: readonly unknown[],
  {
    pageId,
    action,
    said,
    keepButton = false,
  }: { pageId: string; action: LeadAction; said: string; keepButton?: boolean },
): unknown[] {
  const out: unknown[] = [];
  let placed = false;
  const note = (previous?: Block): Block => {
    const before = (previous?.elements as Array<{ text?: unknown }> | undefined)?.[0]?.text;
    const text = typeof before === "string" && before !== "" ? `${before} · ${said}` : said;
    return { type: "context", block_id: doneBlockId(pageId), elements: [{ type: "mrkdwn", text }] };
  };
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i] as Block;
    if (block.block_id === doneBlockId(pageId)) continue;
    if (block.type === "actions" && block.block_id === leadBlockId(pageId)) {
      const elements = Array.isArray(block.elements) ? (block.elements as Array<{ action_id?: unknown }>) : [];
      const kept = keepButton ? elements : elements.filter((element) => element.action_id !== leadActionId(action));
      if (kept.length > 0) out.push({ ...block, elements: kept });
      const next = blocks[i + 1] as Block | undefined;
      out.push(note(next?.block_id === doneBlockId(pageId) ? next : undefined));
      placed = true;
      continue;
    }
    out.push(block);
  }
  if (!placed) out.push(note(blocks.find((block) => (block as Block).block_id === doneBlockId(pageId)) as Block));
  return out;
}

/** The notification text of a changed message: its sections and context lines. */
export function textOfBlocks(blocks: readonly unknown[]): string {
  return blocks
    .flatMap((raw) => {
      const block = raw as { type?: string; text?: { text?: unknown }; elements?: Array<{ text?: unknown }> };
      if (block.type === "section" && typeof block.text?.text === "string") return [block.text.text];
      if (block.type === "context")
        return [
          (block.elements ?? []).map((element) => (typeof element.text === "string" ? element.text : "")).join(" "),
        ];
      return [];
    })
    .join("\n")
    .slice(0, 3_000);
}
