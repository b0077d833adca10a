import { notBuiltYet } from "../src/cli/not-built-yet.js";

notBuiltYet("npm run stale-leads", "the stale-lead digest is planned in the issue tracker");
