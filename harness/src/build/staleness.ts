// Is a policy's build older than its sources? The same inputs as the Makefile's rule for
// policies/<name>/build/policy.wasm: the policy folder's *.ts, the SDK (assembly/, tests
// aside) and asconfig.json. Used by `idgov run` to warn before evaluating a stale module.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

function newestTs(dir: string, recursive: boolean, skip: (name: string) => boolean, out: { file: string; mtimeMs: number }[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const file = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) newestTs(file, true, skip, out);
    } else if (entry.name.endsWith(".ts")) {
      out.push({ file, mtimeMs: statSync(file).mtimeMs });
    }
  }
}

/**
 * Sources changed after `<policyDir>/build/policy.wasm` was built, newest first, as paths
 * relative to the policy folder. Empty when the folder has no policy.ts (a module built
 * elsewhere) or no build yet (the caller reports that itself).
 */
export function staleSources(policyDir: string): string[] {
  const dir = resolve(policyDir);
  const built = join(dir, "build", "policy.wasm");
  if (!existsSync(join(dir, "policy.ts")) || !existsSync(built)) return [];
  const builtAt = statSync(built).mtimeMs;
  const sources: { file: string; mtimeMs: number }[] = [];
  newestTs(dir, false, () => false, sources);
  const options = join(dir, "build-options.json");
  if (existsSync(options)) sources.push({ file: options, mtimeMs: statSync(options).mtimeMs });
  const root = resolve(dir, "../..");
  if (existsSync(join(root, "asconfig.json"))) {
    newestTs(join(root, "assembly"), true, (name) => name === "__tests__", sources);
    sources.push({ file: join(root, "asconfig.json"), mtimeMs: statSync(join(root, "asconfig.json")).mtimeMs });
  }
  return sources
    .filter((s) => s.mtimeMs > builtAt)
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
    .map((s) => relative(dir, s.file));
}
