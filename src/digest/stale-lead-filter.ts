import { CONTACT, NEW_LEAD_STATUS } from "../crm-schema/crm-schema.js";
import type { ChoiceType } from "../notion/property-values.js";
import type { QueryFilter, QuerySorts } from "../notion/query-window.js";

type Condition = Extract<QueryFilter, { and: unknown }>["and"][number];

/**
 * The order the digest reads Contacts in. created_time never changes, so a
 * row cannot move between windows while the digest runs (leads arriving
 * meanwhile only touch Last Contacted); Last Contacted orders the rows that
 * share a creation minute (Notion's precision), so a bulk import does not
 * leave one minute too big to page through.
 */
export const WINDOW_SORTS: QuerySorts = [
  { timestamp: "created_time", direction: "ascending" },
  { property: CONTACT.lastContacted, direction: "ascending" },
];

/** Where a new window starts: the last row the previous one returned, included again. */
export type WindowStart = { createdTime: string; lastContacted: string | undefined };

export type StaleLeadFilterOptions = {
  statusType: ChoiceType;
  /** Leads last contacted before this instant (ISO) are stale. */
  cutoff: string;
  /** Unset: the first window. */
  from?: WindowStart;
};

/**
 * `Status` is `new lead` and `Last Contacted` is empty or before the cutoff;
 * from a window start on, only the rows at or after it in WINDOW_SORTS order.
 * Notion puts empty values last in a sort, so within one minute a row with an
 * empty date comes after every dated one. Filters nest two levels at most,
 * which is why the window is an `or` of `and`s.
 */
export function staleLeadFilter({ statusType, cutoff, from }: StaleLeadFilterOptions): QueryFilter {
  const isNewLead = (
    statusType === "status"
      ? { property: CONTACT.status, status: { equals: NEW_LEAD_STATUS } }
      : { property: CONTACT.status, select: { equals: NEW_LEAD_STATUS } }
  ) satisfies Condition;
  const never = { property: CONTACT.lastContacted, date: { is_empty: true } } satisfies Condition;
  const before = { property: CONTACT.lastContacted, date: { before: cutoff } } satisfies Condition;
  if (from === undefined) return { and: [isNewLead, { or: [never, before] }] };

  const createdAfter = { timestamp: "created_time", created_time: { after: from.createdTime } } satisfies Condition;
  const createdSame = { timestamp: "created_time", created_time: { equals: from.createdTime } } satisfies Condition;
  const branches: Condition[] = [
    { and: [isNewLead, createdAfter, never] },
    { and: [isNewLead, createdAfter, before] },
    { and: [isNewLead, createdSame, never] },
  ];
  if (from.lastContacted !== undefined) {
    const notEarlier = {
      property: CONTACT.lastContacted,
      date: { on_or_after: from.lastContacted },
    } satisfies Condition;
    branches.push({ and: [isNewLead, createdSame, notEarlier, before] });
  }
  return { or: branches };
}
