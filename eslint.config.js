// The linter's one job here is the layers of src/ (docs/reference.md, "Layout"):
// base -> domain -> feature -> composition. A folder may import its own files,
// any folder of a lower layer and, in base and domain, a folder of its own
// layer; never a higher layer, and never a feature beside it. Formatting is
// Prettier's and types are tsc's, so no style or type rules are added here.
import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

// Each folder of src/ is one element; its layer is decided here, once.
const LAYERS = {
  // Building blocks every area may use; they import no domain or feature.
  base: [
    "config",
    "log",
    "util",
    "store",
    "rate-limit",
    "notion",
    "crm-schema",
    "queue",
    "http",
    "signatures",
    "spam",
    "slack",
    "alerts",
    "schedule",
  ],
  // Domain pieces shared by several features: a contact, lead intake, a
  // deal's stage history and a lead's first touch (written by several features, read by the report).
  domain: ["contacts", "leads", "deal-history", "first-touch"],
  // What the product does; a feature never imports another feature.
  feature: [
    "deal-webhooks",
    "digest",
    "import",
    "form-services",
    "web-form",
    "check",
    "setup",
    "report",
    "slack-actions",
    "new-lead-alerts",
    "inbound-email",
  ],
  // Wires features together: the server and what every command shares.
  // jobs lists and revives every area's queue, so it composes them like the server.
  composition: ["server", "cli", "jobs"],
};

const folders = (names) => `src/{${names.join(",")}}`;

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "packages/*/node_modules/**"] },
  {
    files: ["src/**/*.ts"],
    // The server's entry point sits above every layer and may import any of them.
    ignores: ["src/main.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { boundaries },
    settings: {
      "import/resolver": { typescript: { project: "tsconfig.json" } },
      "boundaries/elements": [
        ...Object.entries(LAYERS).map(([type, names]) => ({
          type,
          pattern: folders(names),
          capture: ["area"],
        })),
        // Dev-only code: src/ must never depend on it (it is not in dist/).
        { type: "dev-only", pattern: "scripts" },
        { type: "dev-only", pattern: "packages/notion-emulator" },
        { type: "dev-only", pattern: "test" },
      ],
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          policies: [
            {
              from: { element: { type: "base" } },
              allow: { to: { element: { type: "base" } } },
            },
            {
              from: { element: { type: "domain" } },
              allow: { to: { element: { types: { anyOf: ["base", "domain"] } } } },
            },
            {
              from: { element: { type: "feature" } },
              allow: { to: { element: { types: { anyOf: ["base", "domain"] } } } },
            },
            {
              from: { element: { type: "composition" } },
              allow: {
                to: { element: { types: { anyOf: ["base", "domain", "feature", "composition"] } } },
              },
            },
          ],
        },
      ],
      // A folder of src/ that no layer names is a folder nobody placed yet.
      "boundaries/no-unknown-files": "error",
    },
  },
);
