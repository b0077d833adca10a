import { notBuiltYet } from "../src/cli/not-built-yet.js";

notBuiltYet("npm run demo", "npm run demo is planned in the issue tracker");
