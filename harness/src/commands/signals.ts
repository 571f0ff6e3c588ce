// `idgov signals import`: identity-verification vendor decision → idgov signal records,
// printed as YAML (a ConfigMap manifest, a `subjects` settings entry or a host-capabilities
// fixture). The conversion lives in signals/import.ts; this file wires options and output.
import type { Command } from "commander";
import { DEFAULT_NAMESPACE } from "../signals/configmap.js";
import { convertDiditDecisionText, OUTPUT_FORMATS, readDecisionFile, validateImportOptions, type SignalsImportOptions } from "../signals/import.js";
import type { CliCommand, CliIO } from "./command.js";

const IMPORT_HELP = `
Reads an identity-verification session decision (Didit: the body of
GET /v3/session/{id}/decision/, or a webhook payload with a "decision") and prints
idgov signal records for one Kubernetes user as YAML. Only outcomes are kept
(status, verifiedAt, score, AML risk, liveness method, document expiry); no
personal data is copied.

Signal kinds: idDocument, liveness, faceMatch, aml, nfc, phone, email.
Outputs:
  configmap  a ConfigMap named idgov-<username>-<fnv1a32> in --namespace, with
             data.subject = the username and one compact-JSON record per kind
  settings   a "subjects:" policy settings entry: subjects.<username>.<kind>
  fixture    a host-capabilities fixture answering the policy's read of that
             ConfigMap (idgov run --allow-context-aware --host-capabilities-fixtures)

Examples:
  $ idgov signals import decision.json --subject alice@example.com > signals.yaml
  $ kubectl apply -f signals.yaml
  $ idgov signals import decision.json --subject alice@example.com --output fixture > answers.yaml
  $ idgov signals import decision.json --subject system:serviceaccount:ci:deployer --output settings
  $ curl -s -H "x-api-key: $KEY" https://verification.didit.me/v3/session/$ID/decision/ \\
      | idgov signals import - --subject alice@example.com --namespace security

See docs/identity-signals.md for the record format and the Didit mapping.
`;

export const signalsCommand: CliCommand = {
  name: "signals",
  register(program: Command, io: CliIO): Command {
    const signals = program
      .command("signals")
      .description("manage identity signal records (identity-verification outcomes per Kubernetes user)");

    signals
      .command("import")
      .description("convert an identity-verification vendor decision (Didit) into idgov signal records (YAML)")
      .argument("<vendor-decision.json>", "the vendor's session decision JSON file, or - for stdin")
      .option("--subject <username>", "Kubernetes username the signals belong to (required; exact, case-sensitive)")
      .option("--output <format>", `what to print: ${OUTPUT_FORMATS.join(" | ")}`, "configmap")
      .option("--namespace <namespace>", "namespace of the ConfigMap", DEFAULT_NAMESPACE)
      .option("--verified-at <RFC3339>", "verifiedAt to use when the decision carries no timestamps")
      .addHelpText("after", IMPORT_HELP)
      .action(async (file: string, opts: SignalsImportOptions) => {
        // Validate the options before touching the file, so usage errors come first.
        validateImportOptions(opts);
        const text = await readDecisionFile(file);
        const result = convertDiditDecisionText(text, opts, file === "-" ? "stdin" : file);
        for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
        io.stdout(result.yaml);
      });
    return signals;
  },
};
