import { randomBytes } from "node:crypto";
import { bodyValidationError, validationError } from "./notion-api-error.js";
import { parseNotionId } from "./emulator-ids.js";
import { isRecord, isValuePropertyType, type PropertyConfigResponse, type ValuePropertyType } from "./notion-types.js";
import { parseOptions, parseStatusConfig } from "./select-options.js";

export type SchemaContext = {
  /** Resolves a relation's target; undefined when no such data source exists. */
  findDataSource(id: string): { id: string; databaseId: string } | undefined;
  /** Property ids already taken in the data source being edited. */
  usedIds: ReadonlySet<string>;
};

/**
 * Turns one property configuration, as POST /v1/databases or PATCH
 * /v1/data_sources take it, into the schema entry GET /v1/data_sources answers.
 */
export function parsePropertyConfig(
  name: string,
  raw: unknown,
  ctx: SchemaContext,
  existingId?: string,
): PropertyConfigResponse {
  const path = `body.properties.${name}`;
  if (!isRecord(raw)) throw bodyValidationError(`${path} should be an object.`);
  const type = configType(raw, path);
  const config = raw[type];
  if (!isRecord(config)) throw bodyValidationError(`${path}.${type} should be an object.`);
  const description = raw["description"];
  if (description !== undefined && description !== null && typeof description !== "string") {
    throw bodyValidationError(`${path}.description should be a string.`);
  }
  const common = {
    id: existingId ?? (type === "title" ? "title" : newPropertyId(ctx.usedIds)),
    name,
    description: typeof description === "string" ? description : null,
  };
  switch (type) {
    case "title":
    case "rich_text":
    case "email":
    case "url":
    case "phone_number":
    case "checkbox":
    case "date":
    case "people":
      return { ...common, type, [type]: {} } as PropertyConfigResponse;
    case "number": {
      const format = config["format"] ?? "number";
      if (typeof format !== "string") throw bodyValidationError(`${path}.number.format should be a string.`);
      return { ...common, type, number: { format } };
    }
    case "select":
    case "multi_select": {
      const options = parseOptions(config["options"] ?? [], `${path}.${type}.options`);
      return type === "select"
        ? { ...common, type, select: { options } }
        : { ...common, type, multi_select: { options } };
    }
    case "status":
      return { ...common, type, status: parseStatusConfig(config, `${path}.status`) };
    case "relation":
      return { ...common, type, relation: parseRelation(name, config, ctx, `${path}.relation`) };
  }
}

function configType(raw: Record<string, unknown>, path: string): ValuePropertyType {
  const declared = raw["type"];
  const keys = Object.keys(raw).filter((key) => key !== "type" && key !== "description" && key !== "name");
  const type = typeof declared === "string" ? declared : keys[0];
  if (type === undefined || (typeof declared !== "string" && keys.length !== 1)) {
    throw bodyValidationError(`${path} should define exactly one property type.`);
  }
  if (!isValuePropertyType(type)) {
    throw validationError(`Property type \`${type}\` of ${path} is not supported by the Notion emulator.`);
  }
  if (raw[type] === undefined) throw bodyValidationError(`${path}.${type} should be defined.`);
  return type;
}

type RelationConfig = Extract<PropertyConfigResponse, { type: "relation" }>["relation"];

function parseRelation(
  name: string,
  config: Record<string, unknown>,
  ctx: SchemaContext,
  path: string,
): RelationConfig {
  const rawId = config["data_source_id"];
  const targetId = typeof rawId === "string" ? parseNotionId(rawId) : undefined;
  if (targetId === undefined) throw bodyValidationError(`${path}.data_source_id should be a valid uuid.`);
  const target = ctx.findDataSource(targetId);
  if (target === undefined) throw validationError(`Relation data source ${targetId} of ${path} does not exist.`);
  const common = { data_source_id: target.id, database_id: target.databaseId };
  const dual = config["dual_property"];
  const kind = config["type"] ?? (dual !== undefined ? "dual_property" : "single_property");
  if (kind === "single_property") return { ...common, type: "single_property", single_property: {} };
  if (kind !== "dual_property") throw bodyValidationError(`${path}.type should be single_property or dual_property.`);
  const requested = isRecord(dual) ? dual["synced_property_name"] : undefined;
  return {
    ...common,
    type: "dual_property",
    dual_property: {
      synced_property_id: newPropertyId(new Set()),
      synced_property_name: typeof requested === "string" && requested !== "" ? requested : `Related to ${name}`,
    },
  };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Short ids like Notion's own (`BJXS`); "title" is reserved for the title property. */
export function newPropertyId(used: ReadonlySet<string>): string {
  for (;;) {
    const id = Array.from(randomBytes(4), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join("");
    if (!used.has(id) && id !== "title") return id;
  }
}
