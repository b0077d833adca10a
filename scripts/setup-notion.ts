import { notBuiltYet } from "../src/cli/not-built-yet.js";

notBuiltYet("npm run setup-notion", "setup-notion is planned in the issue tracker");
