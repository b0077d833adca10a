import { isFullDataSource } from "@notionhq/client";
import { CONTACT } from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "../notion/notion-errors.js";
import type { NotionGateway } from "../notion/notion-gateway.js";
import type { CheckResult } from "./check-result.js";

const NAME = "Contacts status options";

/**
 * STATUS_CONTACTED and STATUS_NOT_A_FIT must be options of a Status that is
 * a `status` property: the API cannot add status options, so a click would
 * be refused. A `select` makes its options as it goes: nothing to check.
 */
export async function checkStatusOptions(
  notion: NotionGateway,
  contactsDatabaseId: string,
  wanted: { STATUS_CONTACTED: string; STATUS_NOT_A_FIT: string },
): Promise<CheckResult> {
  let options: string[] | undefined;
  try {
    const dataSourceId = await notion.dataSourceId(contactsDatabaseId);
    const source = await notion.read("dataSources.retrieve", (client) =>
      client.dataSources.retrieve({ data_source_id: dataSourceId }),
    );
    const status = isFullDataSource(source) ? source.properties[CONTACT.status] : undefined;
    if (status?.type === "status") options = status.status.options.map((option) => option.name);
  } catch (error) {
    if (!isNotionGatewayError(error)) throw error;
    return { name: NAME, outcome: "skip", detail: `not checked: ${error.message}` };
  }
  if (options === undefined) {
    return {
      name: NAME,
      outcome: "pass",
      detail: `"${CONTACT.status}" is a select: its options are made as they are used`,
    };
  }
  const missing = (["STATUS_CONTACTED", "STATUS_NOT_A_FIT"] as const).filter(
    (setting) => !options.includes(wanted[setting]),
  );
  if (missing.length === 0) {
    return {
      name: NAME,
      outcome: "pass",
      detail: `"${CONTACT.status}" has the options "${wanted.STATUS_CONTACTED}" and "${wanted.STATUS_NOT_A_FIT}"`,
    };
  }
  return {
    name: NAME,
    outcome: "fail",
    detail: missing
      .map(
        (setting) =>
          `${setting}: the status property "${CONTACT.status}" has no option "${wanted[setting]}" (add it in Notion, or set ${setting} to an option it has)`,
      )
      .join("; "),
  };
}
