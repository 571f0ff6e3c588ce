// `node harness/dist/build/main.js [policy-dir…]`: builds the given policies, or all of them.
import { existsSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPolicy, listPolicies } from "./policies.js";
import { writeVocabulary } from "./vocabulary.js";

// The repo being built is the one make runs in (its cwd): a checkout whose harness is a link
// to another one's (a scratch copy in tests) builds its own policies against its own SDK.
const repoRoot = existsSync("asconfig.json") ? process.cwd() : resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dirs = process.argv.length > 2 ? process.argv.slice(2) : listPolicies(resolve(repoRoot, "policies"));
try {
  // The SDK's identity tables come from assembly/identity/vocabulary.json.
  for (const file of writeVocabulary(repoRoot)) console.log(`generated ${file}`);
  for (const dir of dirs) await buildPolicy(dir, repoRoot, (line) => console.log(line));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
