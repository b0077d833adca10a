import type { PropertyValueResponse } from "./property-values.js";

/** A Notion person as a people property holds them; `name` is null when Notion does not say. */
export type NotionPerson = { id: string; name: string | null };

/** The people of a people property, by id and name. */
export function peopleOf(value: PropertyValueResponse | undefined): NotionPerson[] {
  if (value?.type !== "people") return [];
  return value.people.map((person) => ({
    id: person.id,
    name: "name" in person && typeof person.name === "string" && person.name.trim() !== "" ? person.name : null,
  }));
}
