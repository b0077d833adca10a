/**
 * A contact a lead has just created, as the new-lead alert names it;
 * everything but the ids came from a form.
 */
export type CreatedContact = {
  pageId: string;
  url: string;
  email: string;
  name?: string | undefined;
  company?: string | undefined;
  source?: string | undefined;
  message?: string | undefined;
};
