import express, { type Router } from "express";
import { readRawBody } from "../http/read-raw-body.js";
import { verifySlackSignature } from "../signatures/verify-slack-signature.js";
import type { SlackClicks } from "../slack/slack-clicks.js";
import type { SlackTeam } from "../slack/slack-team.js";
import { clickKey, parseBlockActions } from "./parse-block-actions.js";

/** A block_actions payload carries the whole message (a digest's 20-odd blocks), URL-encoded. */
export const SLACK_ACTIONS_BODY_LIMIT_BYTES = 1024 * 1024;
/** How long a click waits for auth.test the first time; past it the click is stored and the worker checks the team. */
export const TEAM_LOOKUP_WAIT_MS = 1_000;

export type SlackActionsRouteOptions = {
  signingSecret: string;
  team: SlackTeam;
  clicks: Pick<SlackClicks, "store">;
  /** Wakes the click worker. */
  onClick: () => void;
  now?: () => number;
  teamWaitMs?: number;
};

/**
 * POST /slack/actions, the app's Interactivity Request URL. The signature is
 * checked over the raw bytes before anything is parsed; a click from another
 * workspace is ignored; every other click on our buttons is stored, then
 * answered 200 with an empty body at once (Slack wants an answer within 3
 * seconds). The click worker applies it to Notion and changes the message.
 */
export function slackActionsRoute(options: SlackActionsRouteOptions): Router {
  const { signingSecret, team, clicks, now = Date.now, teamWaitMs = TEAM_LOOKUP_WAIT_MS } = options;
  const router = express.Router();
  router.post("/slack/actions", readRawBody({ limitBytes: SLACK_ACTIONS_BODY_LIMIT_BYTES }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const nowMs = now();
    const verified = verifySlackSignature({
      rawBody,
      timestamp: req.get("x-slack-request-timestamp"),
      signature: req.get("x-slack-signature"),
      signingSecret,
      nowMs,
    });
    if (!verified) {
      req.log.warn("Slack interaction refused: signature missing, wrong, or its timestamp is more than 5 minutes off");
      res.status(401).json({ error: "invalid signature" });
      return;
    }
    const parsed = parseBlockActions(rawBody, nowMs);
    if (parsed.kind === "invalid") {
      req.log.warn({ reason: parsed.reason }, "Slack interaction refused: not an interaction payload");
      res.status(400).json({ error: parsed.reason });
      return;
    }
    if (parsed.kind === "other") {
      req.log.info({ type: parsed.type }, "Slack interaction ignored: not a button of ours");
      res.status(200).end();
      return;
    }
    const expected = await Promise.race([
      team.id(),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), teamWaitMs).unref()),
    ]);
    if (expected !== undefined && parsed.teamId !== expected) {
      req.log.warn(
        { teamId: parsed.teamId },
        "Slack interaction ignored: it comes from another workspace than the app's",
      );
      res.status(200).end();
      return;
    }
    for (const click of parsed.clicks) {
      const { isNew, item: stored } = clicks.store(clickKey(click), click);
      req.log.info(
        { clickId: stored.id, action: click.action, pageId: click.pageId, duplicate: !isNew },
        isNew ? "Slack click stored" : "Slack click seen before (a double click or Slack's retry): applied once",
      );
    }
    if (parsed.clicks.length > 0) options.onClick();
    res.status(200).end();
  });
  return router;
}
