import type { PageObjectResponse } from "@notionhq/client";
import { DEAL } from "../crm-schema/crm-schema.js";
import { peopleOf, type NotionPerson } from "../notion/people-of.js";
import { choiceName, numberOf, plainText } from "../notion/property-values.js";

/** A deal as the report reads it from Deals now. */
export type DealSnapshot = {
  id: string;
  name: string;
  stage: string | undefined;
  value: number | undefined;
  owners: NotionPerson[];
  createdTime: string;
  lastEditedTime: string;
  url: string;
};

/** The properties a report row is read from (for `filter_properties`). */
export const REPORT_DEAL_PROPERTIES = [DEAL.name, DEAL.stage, DEAL.value, DEAL.owner] as const;

export function toDealSnapshot(page: PageObjectResponse): DealSnapshot {
  return {
    id: page.id,
    name: plainText(page.properties[DEAL.name]).trim() || "Untitled deal",
    stage: choiceName(page.properties[DEAL.stage]),
    value: numberOf(page.properties[DEAL.value]),
    owners: peopleOf(page.properties[DEAL.owner]),
    createdTime: page.created_time,
    lastEditedTime: page.last_edited_time,
    url: page.url,
  };
}
