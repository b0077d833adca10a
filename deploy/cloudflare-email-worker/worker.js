// Cloudflare Email Worker for notion-crm: receives the mail sent (or BCC'd, or
// forwarded) to a Cloudflare Email Routing address, signs the raw message and
// POSTs it to the CRM's /inbound-email/raw. See README.md beside this file.
//
// What happens to a message the CRM does not take:
// - the CRM is down, slow, or answers 5xx, 401 or 404 (a setting to fix):
//   the handler throws. Cloudflare then answers the sending mail server with a
//   temporary SMTP failure (4xx), so that server keeps the message and delivers
//   it again later (for days, with backoff), and nothing is lost.
// - the CRM says the message can never be taken (400 not an email, 413 larger
//   than 10 MiB, 415): message.setReject(), a permanent SMTP failure; the
//   sender gets a bounce saying why.

/** The CRM takes messages up to 10 MiB; a larger one is refused here without sending it. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Answers that mean "never": retrying cannot help. */
export const PERMANENT_STATUSES = new Set([400, 413, 415]);
/** A CRM that does not answer within this is treated as down (the sender retries). */
export const REQUEST_TIMEOUT_MS = 25_000;

/** Hex HMAC-SHA256 of `${timestamp}.${raw}` keyed with the secret (Web Crypto, as Workers and Node 20 have it). */
export async function signRawEmail(secret, timestamp, raw) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + raw.length);
  signed.set(prefix, 0);
  signed.set(raw, prefix.length);
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Sends one message to the CRM. `deps` are seams for tests (the Worker
 * runtime's own fetch and clock otherwise). Returns the CRM's answer.
 */
export async function deliverToCrm(message, env, deps = {}) {
  const { fetch: send = fetch, now = Date.now } = deps;
  if (!env.CRM_URL || !env.INBOUND_EMAIL_SECRET) {
    // A deployment without its settings: throw, so the mail waits at the sender until they are set.
    throw new Error("CRM_URL and INBOUND_EMAIL_SECRET must be set (wrangler secret put INBOUND_EMAIL_SECRET)");
  }
  if (typeof message.rawSize === "number" && message.rawSize > MAX_MESSAGE_BYTES) {
    message.setReject("The message is larger than the CRM takes (10 MiB).");
    return { status: 413 };
  }
  const raw = new Uint8Array(await new Response(message.raw).arrayBuffer());
  if (raw.length > MAX_MESSAGE_BYTES) {
    message.setReject("The message is larger than the CRM takes (10 MiB).");
    return { status: 413 };
  }
  const timestamp = String(Math.floor(now() / 1000));
  const signature = await signRawEmail(env.INBOUND_EMAIL_SECRET, timestamp, raw);
  let response;
  try {
    response = await send(`${env.CRM_URL.replace(/\/+$/, "")}/inbound-email/raw`, {
      method: "POST",
      headers: {
        "Content-Type": "message/rfc822",
        "X-CRM-Timestamp": timestamp,
        "X-CRM-Signature": `sha256=${signature}`,
      },
      body: raw,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`the CRM could not be reached; the sending server will try again: ${error?.message ?? error}`);
  }
  if (response.ok) return { status: response.status };
  if (PERMANENT_STATUSES.has(response.status)) {
    message.setReject(`The CRM refused the message (HTTP ${response.status}).`);
    return { status: response.status };
  }
  throw new Error(`the CRM answered HTTP ${response.status}; the sending server will try again`);
}

export default {
  async email(message, env) {
    await deliverToCrm(message, env);
  },
};
