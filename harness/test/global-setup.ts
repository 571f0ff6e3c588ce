// vitest globalSetup: tests import the built harness (harness/dist) and run the built policy
// modules, so `npx vitest run` on a fresh clone or after an edit first brings the builds up
// to date with `make build` (a no-op when nothing changed, as under `make test`).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default function setup(): void {
  const r = spawnSync("make", ["--no-print-directory", "build"], { cwd: root, encoding: "utf8" });
  if (r.error) throw new Error(`cannot run \`make build\` before the tests: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`\`make build\` failed before the tests:\n${r.stdout}${r.stderr}`);
  const built = r.stdout.split("\n").filter((l) => l.startsWith("built ")).length;
  if (built > 0) process.stdout.write(`global setup: make build rebuilt ${built} module(s)\n`);
}
