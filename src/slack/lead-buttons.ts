import type { SlackBlock, SlackButton } from "./slack-message.js";

/** What a button on a lead does (CONTRACT.md, "New-lead alerts, and acting from Slack with buttons"). */
export const LEAD_ACTIONS = ["claim", "contacted", "snooze", "not_a_fit"] as const;
export type LeadAction = (typeof LEAD_ACTIONS)[number];

export const LEAD_ACTION_LABEL: Record<LeadAction, string> = {
  claim: "Claim",
  contacted: "Contacted",
  snooze: "Snooze",
  not_a_fit: "Not a fit",
};

/** What the message says once a button was used: "Contacted by <@U…>". */
export const LEAD_ACTION_DONE: Record<LeadAction, string> = {
  claim: "Claimed by",
  contacted: "Contacted by",
  snooze: "Snoozed by",
  not_a_fit: "Marked not a fit by",
};

const ACTION_ID_PREFIX = "crm_lead_";
const BLOCK_ID_PREFIX = "crm_lead:";
/** Notion page ids, dashed or not: nothing else is taken from a button's value. */
const PAGE_ID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * The buttons of one lead: each `action_id` names the action
 * (`crm_lead_contacted`), each `value` is the lead's Contacts page id, and
 * the block's id names the lead too, so a message listing several leads
 * (a digest, a grouped alert) can be changed one lead at a time.
 */
export function leadButtons(pageId: string, actions: readonly LeadAction[]): SlackBlock {
  return {
    type: "actions",
    block_id: leadBlockId(pageId),
    elements: actions.map((action): SlackButton => ({
      type: "button",
      text: { type: "plain_text", text: LEAD_ACTION_LABEL[action] },
      action_id: `${ACTION_ID_PREFIX}${action}`,
      value: pageId,
      ...(action === "contacted" && { style: "primary" as const }),
    })),
  };
}

export const leadBlockId = (pageId: string) => `${BLOCK_ID_PREFIX}${pageId}`;

/** A clicked button of ours as the action and the lead, or undefined for anything else. */
export function parseLeadAction(
  actionId: string,
  value: string | undefined,
): { action: LeadAction; pageId: string } | undefined {
  if (!actionId.startsWith(ACTION_ID_PREFIX) || value === undefined || !PAGE_ID.test(value)) return undefined;
  const action = actionId.slice(ACTION_ID_PREFIX.length) as LeadAction;
  return LEAD_ACTIONS.includes(action) ? { action, pageId: value } : undefined;
}

/** The action_id of a lead's button: what a changed message removes once the button was used. */
export const leadActionId = (action: LeadAction) => `${ACTION_ID_PREFIX}${action}`;

/** The buttons of each lead a digest lists. */
export const DIGEST_LEAD_ACTIONS: readonly LeadAction[] = ["contacted", "snooze", "not_a_fit"];

/** The buttons of a new-lead alert: Claim only when Contacts has an Owner (people) property. */
export function newLeadAlertActions(ownerProperty: boolean): readonly LeadAction[] {
  return ownerProperty ? ["claim", "contacted", "not_a_fit"] : ["contacted", "not_a_fit"];
}
