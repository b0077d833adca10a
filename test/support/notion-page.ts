import type { PageObjectResponse } from "@notionhq/client";

// Independent readers of Notion's page shape, for assertions.
const prop = (page: PageObjectResponse, name: string) =>
  page.properties[name] as Record<string, unknown> & { type: string };

export const textOf = (page: PageObjectResponse, name: string) =>
  ((prop(page, name)[prop(page, name).type] as Array<{ plain_text: string }>) ?? [])
    .map((item) => item.plain_text)
    .join("");
export const selectOf = (page: PageObjectResponse, name: string) =>
  (prop(page, name)[prop(page, name).type] as { name: string } | null)?.name;
export const emailOf = (page: PageObjectResponse) => prop(page, "Email").email as string | null;
export const relationOf = (page: PageObjectResponse, name: string) =>
  (prop(page, name).relation as Array<{ id: string }>).map((item) => item.id);
