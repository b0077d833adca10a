import { ACTIVITY } from "../crm-schema/crm-schema.js";
import { TITLE_PROPERTY_ID } from "../notion/filter-properties.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import { activityProperties, activityRef } from "./contact-properties.js";
import type { Submission } from "./lead-queue.js";
import type { GuardCreate } from "../contacts/create-guard.js";

/**
 * One Activities row per accepted lead, related to its contact. The row's
 * title carries the submission's reference, so a retry (after a crash or an
 * ambiguous failure) finds the row it already wrote instead of adding a second.
 */
export async function recordActivity(
  notion: NotionGateway,
  activitiesDataSourceId: string,
  submission: Submission,
  contactPageId: string,
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
            { property: ACTIVITY.name, title: { contains: `(ref ${activityRef(submission.id)})` } },
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
  const at = new Date(submission.receivedAtMs);
  const page = await guardCreate(() => {
    onStart();
    return notion.write<{ id: string }>(
      "pages.create activity",
      (client) =>
        client.pages.create({
          parent: { data_source_id: activitiesDataSourceId },
          properties: activityProperties(submission.lead, submission.id, contactPageId, at),
        }),
      async () => {
        const id = await find();
        return id === undefined ? undefined : { id };
      },
    );
  });
  return page.id;
}
