import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/run-ts-file.js";

const DIR = join(REPO_ROOT, "test", "fixtures", "inbound-email");

/** A fixture's bytes, exactly as written (CRLF line ends included). */
export const emailFixture = (name: string): Buffer => readFileSync(join(DIR, name));
