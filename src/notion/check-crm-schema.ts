import { isFullDataSource } from "@notionhq/client";
import type { DataSourceObjectResponse } from "@notionhq/client";
import { parseNotionId } from "../config/parse-notion-id.js";
import {
  CRM_SCHEMA,
  type CrmDatabase,
  type ExpectedDatabase,
  type ExpectedProperty,
} from "../crm-schema/crm-schema.js";
import { isNotionGatewayError } from "./notion-errors.js";
import type { NotionGateway } from "./notion-gateway.js";

export type CrmDatabaseIds = Partial<Record<CrmDatabase, string>>;
export type CrmSchemaReport = {
  dataSourceIds: Partial<Record<CrmDatabase, string>>;
  /** Each checked database's property types by name (Status and Stage may be select or status). */
  propertyTypes: Partial<Record<CrmDatabase, Record<string, string>>>;
  /** Each checked database's properties by name: the id webhook events name them by, and a number's format. */
  properties: Partial<Record<CrmDatabase, Record<string, PropertySummary>>>;
  problems: string[];
};
type PropertyConfig = DataSourceObjectResponse["properties"][string];
export type PropertySummary = {
  id: string;
  type: string;
  numberFormat?: string;
  /** A status property's options (the API cannot add them, so callers check the ones they write). */
  statusOptions?: string[];
};

/** The named database is missing, not shared, or its properties differ from the contract. */
export class NotionSchemaError extends Error {
  readonly code = "notion_schema_mismatch";
  override readonly name = "NotionSchemaError";

  constructor(readonly problems: readonly string[]) {
    super(
      `The Notion databases do not match the expected schema:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    );
  }
}

/**
 * Resolves each configured database to its data source and compares the data
 * source's properties with the contract, collecting every problem rather
 * than stopping at the first.
 */
export async function checkCrmSchema(notion: NotionGateway, ids: CrmDatabaseIds): Promise<CrmSchemaReport> {
  const report: CrmSchemaReport = { dataSourceIds: {}, propertyTypes: {}, properties: {}, problems: [] };
  const relationTargets: { from: CrmDatabase; property: string; to: CrmDatabase; actual: string }[] = [];
  const configured = (Object.keys(CRM_SCHEMA) as CrmDatabase[]).filter((database) => ids[database] !== undefined);
  for (const database of configured) {
    const expected = CRM_SCHEMA[database];
    const where = `${expected.label} (${expected.setting})`;
    try {
      const dataSourceId = await notion.dataSourceId(ids[database]!);
      const dataSource = await notion.read("dataSources.retrieve", (client) =>
        client.dataSources.retrieve({ data_source_id: dataSourceId }),
      );
      report.dataSourceIds[database] = dataSourceId;
      const properties = isFullDataSource(dataSource) ? dataSource.properties : {};
      report.propertyTypes[database] = Object.fromEntries(
        Object.entries(properties).map(([name, config]) => [name, config.type]),
      );
      report.properties[database] = Object.fromEntries(
        Object.entries(properties).map(([name, config]) => [name, summarise(config)]),
      );
      report.problems.push(...propertyProblems(expected, properties).map((problem) => `${where}: ${problem}`));
      for (const property of expected.properties) {
        const actual = properties[property.name];
        if (property.relatesTo !== undefined && actual?.type === "relation") {
          relationTargets.push({
            from: database,
            property: property.name,
            to: property.relatesTo,
            actual: actual.relation.data_source_id,
          });
        }
      }
    } catch (error) {
      if (isPageNotDatabase(error)) {
        report.problems.push(
          `${where}: this id is a page, not a database; open the database itself (as a full page) and copy its link (••• → Copy link)`,
        );
        continue;
      }
      if (
        !isNotionGatewayError(error) ||
        !["object_not_found", "restricted_resource"].includes(error.details.notionCode ?? "")
      )
        throw error;
      report.problems.push(
        `${where}: database not found; check the id and share the database with the integration (••• menu → Connections)`,
      );
    }
  }
  // Relations are checked once every data source id is known.
  for (const { from, property, to, actual } of relationTargets) {
    const wanted = report.dataSourceIds[to];
    if (wanted !== undefined && (parseNotionId(actual) ?? actual) !== wanted) {
      const { label, setting } = CRM_SCHEMA[from];
      report.problems.push(
        `${label} (${setting}): property "${property}" relates to another database, expected ${CRM_SCHEMA[to].label}`,
      );
    }
  }
  return report;
}

export async function assertCrmSchema(notion: NotionGateway, ids: CrmDatabaseIds): Promise<CrmSchemaReport> {
  const report = await checkCrmSchema(notion, ids);
  if (report.problems.length > 0) throw new NotionSchemaError(report.problems);
  return report;
}

function propertyProblems(expected: ExpectedDatabase, properties: Record<string, PropertyConfig>): string[] {
  return expected.properties.flatMap((property) => {
    const actual = properties[property.name];
    if (actual === undefined)
      return property.optional ? [] : [`property "${property.name}" is missing (expected ${typeList(property)})`];
    if (!(property.types as readonly string[]).includes(actual.type)) {
      if (property.featureOnly) return [];
      return [`property "${property.name}" is ${actual.type}, expected ${typeList(property)}`];
    }
    return missingStatusOptions(property, actual);
  });
}

function missingStatusOptions(property: ExpectedProperty, actual: PropertyConfig): string[] {
  if (actual.type !== "status" || property.requiredOptions === undefined) return [];
  const names = new Set(actual.status.options.map((option) => option.name));
  return property.requiredOptions
    .filter((option) => !names.has(option))
    .map(
      (option) =>
        `status property "${property.name}" has no option "${option}" (add it in Notion: status options cannot be created through the API)`,
    );
}

function typeList(property: ExpectedProperty): string {
  return property.types.join(" or ");
}

function summarise(config: PropertyConfig): PropertySummary {
  return {
    id: config.id,
    type: config.type,
    ...(config.type === "number" && { numberFormat: config.number.format }),
    ...(config.type === "status" && { statusOptions: config.status.options.map((option) => option.name) }),
  };
}

/** Notion answers a page id where a database id belongs with a validation_error that says so. */
function isPageNotDatabase(error: unknown): boolean {
  return (
    isNotionGatewayError(error) &&
    error.details.notionCode === "validation_error" &&
    /is a page, not a database/i.test(error.message)
  );
}
