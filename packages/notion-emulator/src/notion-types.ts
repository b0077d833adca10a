// Response shapes the emulator builds, derived from the SDK's published types so
// that a drift in @notionhq/client shows up as a type error here.
import type {
  CreateDatabaseParameters,
  CreatePageParameters,
  DataSourceObjectResponse,
  DatePropertyItemObjectResponse,
  PartialUserObjectResponse,
  RichTextItemResponse,
  SelectPropertyItemObjectResponse,
  UserObjectResponse,
} from "@notionhq/client";

export type PropertyConfigResponse = DataSourceObjectResponse["properties"][string];
export type PropertyType = PropertyConfigResponse["type"];
export type SelectOptionResponse = { id: string; name: string; color: SelectColor; description: string | null };
export type SelectColor = NonNullable<SelectPropertyItemObjectResponse["select"]>["color"];
export type SelectValue = NonNullable<SelectPropertyItemObjectResponse["select"]>;
export type DateValue = NonNullable<DatePropertyItemObjectResponse["date"]>;
export type UserValue = PartialUserObjectResponse | UserObjectResponse;

/** A page property value as stored and answered, without the property id. */
export type PropertyValue =
  | { type: "title"; title: RichTextItemResponse[] }
  | { type: "rich_text"; rich_text: RichTextItemResponse[] }
  | { type: "email"; email: string | null }
  | { type: "url"; url: string | null }
  | { type: "phone_number"; phone_number: string | null }
  | { type: "number"; number: number | null }
  | { type: "checkbox"; checkbox: boolean }
  | { type: "select"; select: SelectValue | null }
  | { type: "status"; status: SelectValue | null }
  | { type: "multi_select"; multi_select: SelectValue[] }
  | { type: "date"; date: DateValue | null }
  | { type: "people"; people: UserValue[] }
  | { type: "relation"; relation: Array<{ id: string }> };

/** The property types the emulator stores values for. */
export const VALUE_PROPERTY_TYPES = [
  "title",
  "rich_text",
  "email",
  "url",
  "phone_number",
  "number",
  "checkbox",
  "select",
  "status",
  "multi_select",
  "date",
  "people",
  "relation",
] as const satisfies ReadonlyArray<PropertyValue["type"]>;

export type ValuePropertyType = (typeof VALUE_PROPERTY_TYPES)[number];

export const SELECT_COLORS: ReadonlyArray<SelectColor> = [
  "default",
  "gray",
  "brown",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "pink",
  "red",
];

export function isValuePropertyType(type: string): type is ValuePropertyType {
  return (VALUE_PROPERTY_TYPES as ReadonlyArray<string>).includes(type);
}

export function emptyValue(type: ValuePropertyType): PropertyValue {
  switch (type) {
    case "title":
      return { type, title: [] };
    case "rich_text":
      return { type, rich_text: [] };
    case "email":
      return { type, email: null };
    case "url":
      return { type, url: null };
    case "phone_number":
      return { type, phone_number: null };
    case "number":
      return { type, number: null };
    case "checkbox":
      return { type, checkbox: false };
    case "select":
      return { type, select: null };
    case "status":
      return { type, status: null };
    case "multi_select":
      return { type, multi_select: [] };
    case "date":
      return { type, date: null };
    case "people":
      return { type, people: [] };
    case "relation":
      return { type, relation: [] };
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A property configuration as POST /v1/databases takes it in `initial_data_source.properties`. */
export type PropertyConfigRequest = NonNullable<
  NonNullable<CreateDatabaseParameters["initial_data_source"]>["properties"]
>[string];

/** Page property values as POST /v1/pages takes them. */
export type PagePropertiesRequest = NonNullable<CreatePageParameters["properties"]>;
