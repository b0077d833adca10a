import type { PageObjectResponse } from "@notionhq/client";
import { DEAL, DEAL_STAGE } from "../crm-schema/crm-schema.js";
import { recordDealSighting } from "../deal-history/deal-history.js";
import { peopleOf } from "../notion/people-of.js";
import { choiceName, numberOf, plainText } from "../notion/property-values.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";
import type { Store } from "../store/open-store.js";
import { dealStageMessage, notifyStageOf, ownerDealMessage } from "./deal-stage-message.js";
import type { DealStageStore } from "./deal-stage-store.js";
import { formatDealValue } from "../notion/format-deal-value.js";

export type SettleDealDependencies = {
  db: Store;
  stages: DealStageStore;
  outbox: SlackOutbox;
  /** Slack app mode: a move into negotiation also messages each owner directly. */
  directMessages?: boolean | undefined;
};

/**
 * What to make of a deal whose stage was never stored: whether that counts
 * as a change, and from what ("unknown" mid-life, undefined for a new deal).
 * A deal already stored is compared with its stored stage instead.
 */
export type FirstSighting = { changed: boolean; from: string | undefined };
export const LEARN_SILENTLY: FirstSighting = { changed: false, from: undefined };

export type SettleDealOutcome = "stale" | "unchanged" | "changed" | "notified";

/**
 * The one stage comparison every deal read goes through, a webhook event's
 * page read and a poll's query result alike. The stored last stage is the
 * single truth: the read, the new stage and the Slack message are one
 * transaction, so a move seen by both the webhook and the poll is posted once;
 * its message is keyed on the page's edit, the transition and the deal's
 * count of moves, so a move back and forth within one edit minute posts each.
 * `alsoInTransaction` runs in that transaction (the webhook settles its events there).
 */
export function settleDealPage(
  deps: SettleDealDependencies,
  page: PageObjectResponse,
  options: { firstSighting: FirstSighting; valueFormat: string | undefined; alsoInTransaction?: () => void },
): SettleDealOutcome {
  const current = choiceName(page.properties[DEAL.stage]);
  return deps.db.transaction((): SettleDealOutcome => {
    const stored = deps.stages.get(page.id);
    // Notion's query results can lag a page read by seconds: an older copy
    // must not move a stage back (timestamps are minute-rounded, so ties pass).
    if (stored !== undefined && stored.lastEditedTime !== undefined && page.last_edited_time < stored.lastEditedTime) {
      options.alsoInTransaction?.();
      return "stale";
    }
    const from =
      stored === undefined
        ? options.firstSighting
        : { changed: !sameStage(stored.stage, current), from: stored.stage ?? "no stage" };
    const notify = from.changed && current !== undefined && notifyStageOf(current) !== undefined;
    // Counted per stored change: Notion's minute-rounded edit time alone cannot tell two moves in one minute apart.
    const moves = (stored?.moves ?? 0) + (from.changed ? 1 : 0);
    deps.stages.set(page.id, current, page.last_edited_time, moves);
    recordDealSighting(deps.db, page, from.changed ? { changedFrom: from.from } : undefined);
    if (notify) {
      const owners = peopleOf(page.properties[DEAL.owner]);
      const transition = {
        dealName: plainText(page.properties[DEAL.name]),
        from: from.from,
        to: current,
        value: formatDealValue(numberOf(page.properties[DEAL.value]), options.valueFormat),
        owners,
        url: page.url,
      };
      const key = `deal:${page.id}:${page.last_edited_time}:${moves}:${from.from ?? "new"}->${current}`;
      deps.outbox.enqueue(dealStageMessage(transition), key);
      if (deps.directMessages && notifyStageOf(current) === DEAL_STAGE.negotiation) {
        for (const owner of owners) deps.outbox.enqueue(ownerDealMessage(transition, owner), `${key}:dm:${owner.id}`);
      }
    }
    options.alsoInTransaction?.();
    return notify ? "notified" : from.changed ? "changed" : "unchanged";
  })();
}

function sameStage(a: string | null, b: string | undefined): boolean {
  return (a ?? "").trim().toLowerCase() === (b ?? "").trim().toLowerCase();
}
