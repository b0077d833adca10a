import { createHmac } from "node:crypto";

// Each form service's signature, computed here with node:crypto from the
// service's documentation, independently of src/form-services.

const hmac = (secret: string, ...parts: Array<string | Buffer>) => {
  const mac = createHmac("sha256", secret);
  for (const part of parts) mac.update(part);
  return mac;
};

/** Typeform-Signature: sha256=<base64 HMAC of the body>. */
export const typeformSignature = (body: string, secret: string) => `sha256=${hmac(secret, body).digest("base64")}`;

/** Tally-Signature: <base64 HMAC of the body>. */
export const tallySignature = (body: string, secret: string) => hmac(secret, body).digest("base64");

/** x-webflow-signature: <hex HMAC of "<timestamp ms>:<body>">. */
export const webflowSignature = (timestampMs: number, body: string, secret: string) =>
  hmac(secret, `${timestampMs}:${body}`).digest("hex");

/** Formspree-Signature: t=<unix s>,v1=<hex HMAC of "<t>.<body>">. */
export const formspreeSignature = (timestampSeconds: number, body: string, secret: string) =>
  `t=${timestampSeconds},v1=${hmac(secret, `${timestampSeconds}.${body}`).digest("hex")}`;

/** Framer-Signature: sha256=<hex HMAC of the body followed by the submission id>. */
export const framerSignature = (body: string, submissionId: string, secret: string) =>
  `sha256=${hmac(secret, body + submissionId).digest("hex")}`;
