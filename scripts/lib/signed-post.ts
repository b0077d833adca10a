import { createHmac, randomUUID } from "node:crypto";

export type PostAnswer = { status: number; text: string; ms: number; body: string };

const hmacHex = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

/** POST /lead signed with X-Form-Signature, as a site's form backend sends it. */
export function postSignedLead(url: string, lead: object, formSecret: string): Promise<PostAnswer> {
  const body = JSON.stringify(lead);
  return post(`${url}/lead`, body, { "x-form-signature": `sha256=${hmacHex(formSecret, body)}` });
}

/** POST /notion-webhook signed as Notion signs it; without a secret it goes unsigned, like the handshake. */
export function postNotionEvent(url: string, payload: object, verificationToken?: string): Promise<PostAnswer> {
  const body = JSON.stringify(payload);
  return post(
    `${url}/notion-webhook`,
    body,
    verificationToken === undefined ? {} : { "x-notion-signature": `sha256=${hmacHex(verificationToken, body)}` },
  );
}

/** A Notion page event for a page of the given database, in the shape Notion sends. */
export function pageEvent(
  type: string,
  pageId: string,
  database: { databaseId: string; dataSourceId: string },
  /** Property ids, as Notion sends them ("title" is the title property's id). */
  updatedProperties: string[] = ["title"],
) {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    type,
    entity: { id: pageId, type: "page" },
    data: {
      parent: { id: database.databaseId, type: "database", data_source_id: database.dataSourceId },
      updated_properties: updatedProperties,
    },
  };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<PostAnswer> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started, body };
}
