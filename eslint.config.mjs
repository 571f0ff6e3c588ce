// Lint and format for all TypeScript: the harness, the tests and the
// AssemblyScript SDK and policies alike (`make lint`; `make format` fixes).
// ESLint rather than Prettier/Biome: their parsers reject AssemblyScript's
// decorators on functions (`@inline`, `@external`), typescript-eslint's
// parser accepts them with `allowInvalidAST`, and @stylistic formats.
import tseslint from "typescript-eslint";
import stylistic from "@stylistic/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "harness/dist/**",
      // Build outputs (harness/src/build is source and is linted).
      "policies/*/build/**",
      "assembly/__tests__/**/build/**",
      "playground/build/**",
      "bench/results/**",
      "bench/dist/**",
      "test-results/**",
      // Generated from assembly/identity/vocabulary.json (a test fails when they drift): not hand-formatted.
      "assembly/identity/vocabulary.ts",
      "harness/src/signals/vocabulary.ts",
    ],
  },
  ...tseslint.configs.recommended,
  stylistic.configs.customize({ indent: 2, quotes: "double", semi: true, braceStyle: "1tbs", arrowParens: true }),
  {
    languageOptions: { parserOptions: { allowInvalidAST: true } },
    rules: {
      // AssemblyScript needs `// @ts-ignore: decorator` before decorators tsc would refuse.
      "@typescript-eslint/ban-ts-comment": ["error", { "ts-ignore": "allow-with-description" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Short guard clauses on one line read better than three lines each.
      "@stylistic/max-statements-per-line": "off",
      // Formatting does not wrap lines; long lines are left to review.
      "@stylistic/max-len": "off",
      // A variable assigned after a closure that reads it (an instance's memory) cannot be const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions check.
    files: ["**/test/**", "**/tests/**", "**/__tests__/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
