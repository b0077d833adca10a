/** Notion cannot show the integration the page that should hold the CRM databases. */
export class ParentPageError extends Error {
  readonly code = "parent_page_unavailable";
  override readonly name = "ParentPageError";

  constructor(
    readonly pageId: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Notion cannot find page ${pageId}: check the id, and share the page with the integration ` +
        "(the page's ••• menu → Connections → your integration), then run setup-notion again.",
      options,
    );
  }
}
