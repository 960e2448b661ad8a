// ESLint (flat config) for every JavaScript file of the project: `make lint` runs it
// over tools/ and tests/browser/ with no warning allowed. Environments by where a file
// runs: the page (tools/sima/frontend/), the Python worker (frontend/worker/), any
// service worker (sw.js), and Node (the build script and every other .mjs).
import js from "@eslint/js";
import globals from "globals";

// Rules past the recommended set, for mistakes that do happen.
const RULES = {
  "no-undef": "error",
  "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
  eqeqeq: ["error", "always"],
  "no-implicit-globals": "error",
  "prefer-const": "error",
  "no-var": "error",
  "no-shadow-restricted-names": "error",
};

export default [
  { ignores: ["node_modules/", "site/", "build/", ".venv/", ".cache/", "test-artifacts/"] },
  js.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: RULES,
  },
  {
    files: ["tools/sima/frontend/**/*.mjs"],
    ignores: ["tools/sima/frontend/build.mjs"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["tools/sima/frontend/worker/**/*.mjs"],
    languageOptions: { globals: globals.worker },
  },
  {
    // A classic service worker script: its top-level names are its own global
    // scope's, which nothing else shares (no page script runs there).
    files: ["**/sw.js"],
    languageOptions: { sourceType: "script", globals: globals.serviceworker },
    rules: { "no-implicit-globals": "off" },
  },
];
