import type { Router } from "express";
import type { Config } from "../config/load-config.js";
import type { Logger } from "../log/create-logger.js";
import { DEFAULT_FORM_HONEYPOT_FIELD } from "../spam/honeypot.js";
import { formRoute, type FormRouteOptions } from "../web-form/form-route.js";
import { createFormSourcePolicy } from "../web-form/form-source.js";
import { createTurnstileVerifier } from "../spam/turnstile-verifier.js";

type WebFormConfig = Pick<
  Config,
  | "FORM_ALLOWED_ORIGINS"
  | "FORM_REDIRECT_URL"
  | "TURNSTILE_SECRET"
  | "TURNSTILE_VERIFY_URL"
  | "HONEYPOT_FIELD"
  | "FORM_FIELD_MAP"
>;

// Cloudflare's documented test secrets start 1x, 2x or 3x and are zeros after.
const TEST_SECRET = /^[123]x0{20,}A+$/;

/** POST /form when FORM_ALLOWED_ORIGINS is set; none (so 404) otherwise. */
export function wireWebForm(
  config: WebFormConfig,
  deps: Pick<FormRouteOptions, "submit" | "findSubmission" | "onOriginRefused" | "now"> & {
    logger: Logger;
    /** Contacts' Source options as the schema check at start read them; undefined until it has. */
    sourceOptions: () => readonly string[] | undefined;
  },
): Router[] {
  if (config.FORM_ALLOWED_ORIGINS === undefined) return [];
  const { logger, sourceOptions, ...routeDeps } = deps;
  if (config.TURNSTILE_SECRET !== undefined && TEST_SECRET.test(config.TURNSTILE_SECRET))
    logger.warn("TURNSTILE_SECRET is one of Cloudflare's test secrets: it only accepts the test token");
  return [
    formRoute({
      ...routeDeps,
      allowedOrigins: config.FORM_ALLOWED_ORIGINS,
      redirectUrl: config.FORM_REDIRECT_URL,
      honeypotField: config.HONEYPOT_FIELD ?? DEFAULT_FORM_HONEYPOT_FIELD,
      fieldMap: config.FORM_FIELD_MAP,
      sourcePolicy: createFormSourcePolicy(sourceOptions),
      turnstile:
        config.TURNSTILE_SECRET === undefined
          ? undefined
          : createTurnstileVerifier({ secret: config.TURNSTILE_SECRET, verifyUrl: config.TURNSTILE_VERIFY_URL }),
    }),
  ];
}
