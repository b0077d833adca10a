import { createHash } from "node:crypto";
import type { Logger } from "../log/create-logger.js";
import { escapeMrkdwn, mrkdwnLink } from "../slack/escape-mrkdwn.js";
import { fitToSlackLimits, section } from "../slack/slack-message.js";
import type { SlackOutbox } from "../slack/slack-outbox.js";
import { queueOperatorMessage } from "./queue-operator-message.js";

export type OperatorAlert = {
  /** What is wrong, in a line. */
  title: string;
  /** Each problem, as a person can act on it. */
  problems: readonly string[];
  /** What the server does meanwhile. */
  meanwhile: string;
  /**
   * A link the operator must open (a Gmail forwarding confirmation): posted
   * to the operator channel, never logged (it grants what it confirms).
   */
  link?: { label: string; url: string } | undefined;
  /** How the log line reads; a request for action rather than a failure is a warning. @default "error" */
  level?: "error" | "warn";
};

/**
 * A one-off operator alert (a problem seen once, such as a wrong schema
 * found after start): told through the one operator-message path, once per
 * distinct alert and UTC day (the dedupe key is a hash of the alert), and at
 * error level in the log. Conditions that start and clear are
 * createOperatorAlerts' instead.
 */
export function alertOperator(
  { outbox, notify, logger }: { outbox: Pick<SlackOutbox, "enqueue">; notify: () => void; logger: Logger },
  alert: OperatorAlert,
  now: Date = new Date(),
): void {
  const line = `${alert.title}: ${alert.problems.join("; ")}. ${alert.meanwhile}`;
  const logged = {
    problems: alert.problems,
    ...(alert.link !== undefined && { link: "posted to the operator channel" }),
  };
  if (alert.level === "warn") logger.warn(logged, line);
  else logger.error(logged, line);
  const digest = createHash("sha256").update(JSON.stringify(alert)).digest("hex").slice(0, 16);
  const text = [
    `:rotating_light: *${escapeMrkdwn(alert.title)}*`,
    ...alert.problems.map((problem) => `• ${escapeMrkdwn(problem)}`),
    ...(alert.link === undefined ? [] : [mrkdwnLink(alert.link.url, alert.link.label)]),
    escapeMrkdwn(alert.meanwhile),
  ].join("\n");
  try {
    const queued = queueOperatorMessage(
      outbox,
      fitToSlackLimits({ text, blocks: [section(text)] }),
      `operator:${digest}:${now.toISOString().slice(0, 10)}`,
    );
    if (queued) notify();
  } catch (error) {
    // The log line above already said it; a full disk must not turn an alert into a crash.
    logger.error({ err: error }, "operator alert could not be queued for Slack");
  }
}
