/** A Notion page's address from its id: Notion redirects it to the page. */
export function notionPageUrl(pageId: string): string {
  return `https://www.notion.so/${pageId.replaceAll("-", "")}`;
}
