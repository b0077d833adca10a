/** The conditions an operator is told about. */
export type AlertKey =
  | "creates-refused"
  | "connection-blocked"
  | "access-lost"
  | "dead-letters"
  | "lead-backlog"
  | "slack-held"
  | "unlisted-origins";

/**
 * One look at a condition: whether it holds now and, in words an operator
 * can act on (cause, count, fix or command), what to post.
 */
export type AlertReading = {
  key: AlertKey;
  active: boolean;
  /** Posted when it starts and, at most once an hour, while it lasts. */
  message: string;
  /** Posted once when it clears. */
  clearedMessage: string;
};
