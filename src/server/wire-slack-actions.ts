import type { AreaDependencies, CrmArea } from "./crm-area.js";
import type { WakeableQueue } from "../queue/wake-on-recovery.js";
import { createContactCache } from "../contacts/contact-cache.js";
import { createSlackClicks, type SlackClicks } from "../slack/slack-clicks.js";
import { createSlackTeam } from "../slack/slack-team.js";
import type { SlackWebApi } from "../slack/slack-web-api.js";
import { createLeadSnoozes } from "../store/lead-snoozes.js";
import type { ClickTargets } from "../slack-actions/apply-click.js";
import { createClickerLookup } from "../slack-actions/clicker-notion-user.js";
import { createClickWorker, type FirstTouch } from "../slack-actions/click-worker.js";
import { slackActionsRoute } from "../slack-actions/slack-actions-route.js";

export type SlackActionsArea = CrmArea<ClickTargets> & {
  readonly clicks: SlackClicks;
  /** Clicks waiting out a backoff, woken when Notion answers again. */
  readonly waiting: WakeableQueue;
};

export type SlackActionsOptions = {
  /** SLACK_SIGNING_SECRET; the route exists only with it and the bot token. */
  signingSecret: string;
  api: SlackWebApi;
  settings: { statusContacted: string; statusNotAFit: string; snoozeDays: number };
  /** The first-touch store's writer (src/first-touch: recordFirstTouch(db, …)), passed by the composition. */
  onFirstTouch: (touch: FirstTouch) => boolean;
  retryBaseMs?: number | undefined;
  fetch?: typeof globalThis.fetch;
};

/**
 * Acting from Slack: POST /slack/actions stores each verified click, and the
 * click worker applies it to Notion once the schema is known.
 */
export function wireSlackActions(deps: AreaDependencies, options: SlackActionsOptions): SlackActionsArea {
  const { db, notion, logger, signal } = deps;
  const clicks = createSlackClicks(db);
  const team = createSlackTeam(options.api);
  // Asked once now, so the first click is not the one that waits for auth.test.
  void team.id();
  const worker = createClickWorker({
    clicks,
    notion,
    contactCache: createContactCache(db),
    slack: { api: options.api, team, ...(options.fetch && { fetch: options.fetch }) },
    clickers: createClickerLookup({ db, api: options.api, notion, logger }),
    snoozes: createLeadSnoozes(db),
    settings: options.settings,
    onFirstTouch: options.onFirstTouch,
    logger,
    signal,
    ...(options.retryBaseMs !== undefined && { retryBaseMs: options.retryBaseMs }),
  });
  return {
    routes: [slackActionsRoute({ signingSecret: options.signingSecret, team, clicks, onClick: () => worker.notify() })],
    clicks,
    waiting: {
      name: "Slack clicks",
      resumeWaiting: () => clicks.resumeWaiting(),
      hasRetryWaiting: () => clicks.hasRetryWaiting(),
      notify: () => worker.notify(),
    },
    start: (targets) => worker.start(targets),
    stop: () => worker.stop(),
  };
}
