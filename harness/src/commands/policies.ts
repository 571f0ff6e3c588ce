// `idgov policies`: what the local store holds, like `kwctl policies`.
import { Option, type Command } from "commander";
import { PolicyStore } from "../oci/store.js";
import type { CliCommand, CliIO } from "./command.js";

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

export const policiesCommand: CliCommand = {
  name: "policies",
  register(program: Command, io: CliIO): Command {
    return program
      .command("policies")
      .description("list the policies in the local store ($XDG_CACHE_HOME/idgov/store), like `kwctl policies`")
      .addOption(new Option("-o, --output <format>", "table or json").choices(["table", "json"]).default("table"))
      .action((opts: { output: "table" | "json" }) => {
        const store = new PolicyStore();
        const policies = store.list();
        if (opts.output === "json") {
          io.stdout(`${JSON.stringify(policies.map(({ uri, path, sha256, size, metadata }) => ({ uri, path, sha256, size, mutating: metadata?.mutating, contextAware: (metadata?.contextAwareResources.length ?? 0) > 0 })))}\n`);
          return;
        }
        if (policies.length === 0) {
          io.stderr(`no policies in ${store.root}; \`idgov pull <ref>\` adds one\n`);
          return;
        }
        const rows = [["POLICY", "MUTATING", "CONTEXT AWARE", "SHA-256", "SIZE"]];
        for (const p of policies) {
          const m = p.metadata;
          rows.push([p.uri, m ? (m.mutating ? "yes" : "no") : "unknown", m ? (m.contextAwareResources.length > 0 ? "yes" : "no") : "unknown", p.sha256.slice(0, 12), `${(p.size / 1024).toFixed(1)} KiB`]);
        }
        io.stdout(table(rows));
      });
  },
};
