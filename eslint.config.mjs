// ESLint for the browser code in static/ (CI: `npx --prefix tests/browser eslint static`).
// The linter and its packages are pinned in tests/browser/package.json; resolve them there.
import {createRequire} from "node:module";

const require = createRequire(new URL("./tests/browser/package.json", import.meta.url));
const js = require("@eslint/js");
const globals = require("globals");

const classic = {
  ...js.configs.recommended.rules,
  "no-unused-vars": ["error", {args: "after-used", caughtErrors: "none"}],
  eqeqeq: ["error", "always"],
  "no-empty": ["error", {allowEmptyCatch: false}],
};
const modern = {...classic, "no-var": "error", "prefer-const": "error"};

export default [
  {ignores: ["static/vendor/**"]},
  {
    // The page's native ES modules.
    files: ["static/js/**/*.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.browser}},
    rules: modern,
  },
  {
    // Classic scripts of the page; guide-engine.js is also loaded by Node for the parity test.
    files: ["static/app.js", "static/guide-engine.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {...globals.browser, module: "readonly"},
    },
    rules: classic,
  },
  {
    // The page's entry module.
    files: ["static/offline.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.browser}},
    rules: modern,
  },
  {
    // The service worker: a module worker that imports the IndexedDB schema (static/js/store.js).
    files: ["static/sw.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.serviceworker}},
    rules: classic,
  },
];
