import { notBuiltYet } from "../src/cli/not-built-yet.js";

notBuiltYet("npm run check", "npm run check is planned in the issue tracker");
