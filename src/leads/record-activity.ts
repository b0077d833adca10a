import { ACTIVITY } from "../crm-schema/crm-schema.js";
import { TITLE_PROPERTY_ID } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { PropertiesRequest } from "../notion/property-values.js";
import type { GuardCreate } from "../contacts/create-guard.js";

/**
 * One Activities row related to a contact: its properties, whose title ends
 * with `(ref <ref>)`, the reference of what it records (a submission, a click).
 */
export type ActivityRow = { ref: string; contactPageId: string; properties: PropertiesRequest };

/**
 * Writes one Activities row (an accepted lead, a lead marked contacted in
 * Slack). The row's title carries its reference, so a retry (after a crash
 * or an ambiguous failure) finds the row it already wrote instead of adding
 * a second. `onStart` is called just before the create is sent: the caller
 * records it, and passes `alreadyStarted` on a retry.
 */
export async function recordActivity(
  notion: NotionGateway,
  activitiesDataSourceId: string,
  { ref, contactPageId, properties }: ActivityRow,
  {
    alreadyStarted,
    onStart,
    guardCreate = (run) => run(),
  }: { alreadyStarted: boolean; onStart: () => void; guardCreate?: GuardCreate | undefined },
): Promise<string> {
  const find = async () => {
    const result = await notion.read("query activity by ref", (client) =>
      client.dataSources.query({
        data_source_id: activitiesDataSourceId,
        filter: {
          and: [
            { property: ACTIVITY.name, title: { contains: `(ref ${ref})` } },
            { property: ACTIVITY.contact, relation: { contains: contactPageId } },
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
      (client) => client.pages.create({ parent: { data_source_id: activitiesDataSourceId }, properties }),
      // Notion may name the row it saved (a 503 it says not to repeat, or an ambiguous failure): that is the row.
      async (committedResourceId) => {
        const id = committedResourceId ?? (await find());
        return id === undefined ? undefined : { id };
      },
    );
  });
  return page.id;
}
