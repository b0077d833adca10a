import { ACTIVITY } from "../crm-schema/crm-schema.js";
import { TITLE_PROPERTY_ID } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { PropertiesRequest } from "../notion/property-values.js";
import type { GuardCreate } from "./create-guard.js";

/** One Activities row to write, and how a retry recognises it if it was written already. */
export type ActivityRow = {
  /** The row's properties (built by the caller's feature: a lead's, an email's). */
  properties: PropertiesRequest;
  contactPageId: string;
  /**
   * How a retry finds the row it already wrote: text its title contains
   * (a lead's `(ref …)`, an email's subject) and, when the title alone
   * cannot tell two rows apart, the row's exact Date.
   */
  match: { titleContains: string; date?: Date | undefined };
};

export type RecordActivityOptions = {
  /** A create was sent before (a crash or an ambiguous failure): look for the row first. */
  alreadyStarted: boolean;
  /** Called just before the create is sent, so the caller can persist that it started. */
  onStart: () => void;
  guardCreate?: GuardCreate | undefined;
};

/**
 * The one writer of Activities rows (leads, logged emails, Slack clicks),
 * each related to its contact. A retry after a crash or an ambiguous failure
 * finds the row it already wrote instead of adding a second.
 */
export async function recordActivity(
  notion: NotionGateway,
  activitiesDataSourceId: string,
  row: ActivityRow,
  { alreadyStarted, onStart, guardCreate = (run) => run() }: RecordActivityOptions,
): Promise<string> {
  const find = async () => {
    const { titleContains, date } = row.match;
    const result = await notion.read("query activity", (client) =>
      client.dataSources.query({
        data_source_id: activitiesDataSourceId,
        filter: {
          and: [
            { property: ACTIVITY.name, title: { contains: titleContains } },
            { property: ACTIVITY.contact, relation: { contains: row.contactPageId } },
            ...(date === undefined ? [] : [{ property: ACTIVITY.date, date: { equals: date.toISOString() } }]),
          ],
        },
        page_size: 1,
        // Only the row's id is read: the title is the least Notion can send.
        filter_properties: [TITLE_PROPERTY_ID],
      }),
    );
    return result.results[0]?.id;
  };

  if (alreadyStarted) {
    const existing = await find();
    if (existing !== undefined) return existing;
  }
  const page = await guardCreate(() => {
    onStart();
    return notion.write<{ id: string }>(
      "pages.create activity",
      (client) =>
        client.pages.create({ parent: { data_source_id: activitiesDataSourceId }, properties: row.properties }),
      // Notion may name the row it saved (a 503 it says not to repeat, or an ambiguous failure): that is the row.
      async (committedResourceId) => {
        const id = committedResourceId ?? (await find());
        return id === undefined ? undefined : { id };
      },
    );
  });
  return page.id;
}
