import type { DealPollState } from "./deal-poll-store.js";
import { plural } from "../util/plural.js";

/** One line for `npm run jobs`: when the Deals database was last polled and how it went. */
export function describeDealPoll(state: DealPollState | undefined): string {
  if (state?.lastFinishedAtMs === undefined) {
    return state?.lastStartedAtMs === undefined
      ? "Deal poll: has not run with this DATA_DIR"
      : `Deal poll: started ${iso(state.lastStartedAtMs)}, not finished yet`;
  }
  const counts = `${state.lastDeals ?? 0} deals read, ${state.lastMessages ?? 0} messages queued, ${plural(state.lastQueries ?? 0, "Notion query", "Notion queries")}`;
  const last = `last poll ${iso(state.lastStartedAtMs ?? state.lastFinishedAtMs)}`;
  if (state.lastOutcome === "failed") {
    return `Deal poll: ${last} FAILED (${counts}): ${state.lastError ?? "unknown error"}; it is tried again at the next poll`;
  }
  const mark = state.markMs === undefined ? "" : `; deals edited since ${iso(state.markMs)} are read next`;
  return `Deal poll: ${last} ok (${counts})${mark}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
