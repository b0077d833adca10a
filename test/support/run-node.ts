// The tests run commands exactly as the demo does.
export { REPO_ROOT, runTsFile, tsxArgs, type ProcessResult } from "../../scripts/lib/run-ts-file.js";
