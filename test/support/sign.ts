import { createHmac } from "node:crypto";

// Signatures computed here with node:crypto, independently of src/signatures.

export function formSignatureHex(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export function standardWebhookSignature(
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
  secret: string,
): string {
  const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice("whsec_".length), "base64") : Buffer.from(secret);
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.`).update(body).digest("base64")}`;
}
