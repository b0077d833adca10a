import type { FormService } from "./form-service.js";
import { formspree } from "./formspree.js";
import { framer } from "./framer.js";
import { tally } from "./tally.js";
import { typeform } from "./typeform.js";
import { webflow } from "./webflow.js";

/** Every form service with a /lead/<service> route. */
export const FORM_SERVICES: readonly FormService[] = [typeform, tally, webflow, formspree, framer];
