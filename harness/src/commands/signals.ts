// `idgov signals import`: identity-verification vendor decision → idgov signal records,
// printed as YAML (a ConfigMap manifest, or a `subjects` settings entry).
import { readFile, stat } from "node:fs/promises";
import type { Command } from "commander";
import { stringify } from "yaml";
import { buildSignalsConfigMap, DEFAULT_NAMESPACE, isDnsLabel } from "../signals/configmap.js";
import { importDiditDecision } from "../signals/didit.js";
import { buildSubjectsSettings, normalizeTimestamp, oneLine } from "../signals/records.js";

/** Largest decision file accepted. */
export const MAX_DECISION_BYTES = 16 * 1024 * 1024;

export const OUTPUT_FORMATS = ["configmap", "settings"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface SignalsImportOptions {
  /** Kubernetes username the signals belong to (required, non-empty, used exactly as given). */
  subject?: string;
  /** `configmap` (default) or `settings`. */
  output?: string;
  /** ConfigMap namespace (default idgov-system). */
  namespace?: string;
  /** Fallback verifiedAt (RFC 3339) when the decision carries no timestamps. */
  verifiedAt?: string;
}

export interface SignalsImportResult {
  /** The YAML document to print. */
  yaml: string;
  /** Non-fatal problems, one line each (printed to stderr as `warning: …`). */
  warnings: string[];
}

/** YAML 1.1 quoting so that kubectl (a YAML 1.1 reader) keeps `yes`, `on`, `1:20`, dates… as strings. */
export function toYaml(value: unknown): string {
  return stringify(value, { version: "1.1", lineWidth: 0 });
}

/** Check the options that do not depend on the input; throws an Error with a one-line message. */
export function validateImportOptions(options: SignalsImportOptions): { subject: string; output: OutputFormat } {
  const subject = options.subject;
  if (subject === undefined) {
    throw new Error("missing --subject <username>: the Kubernetes username the signals belong to");
  }
  if (subject.trim() === "") throw new Error("--subject must not be empty");
  const output = options.output ?? "configmap";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new Error(`unknown --output ${JSON.stringify(output)}: expected one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  if (options.namespace !== undefined && !isDnsLabel(options.namespace)) {
    throw new Error(
      `--namespace ${JSON.stringify(options.namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63)`,
    );
  }
  if (options.verifiedAt !== undefined && normalizeTimestamp(options.verifiedAt, true) === undefined) {
    throw new Error(
      `--verified-at ${JSON.stringify(options.verifiedAt)} is not an RFC 3339 timestamp (e.g. 2026-11-10T09:00:00Z)`,
    );
  }
  return { subject, output: output as OutputFormat };
}

/**
 * Convert the text of a Didit decision into the YAML to print. Pure; `source` names the
 * input in messages. Throws an Error with a one-line message on bad input or options.
 */
export function convertDiditDecisionText(
  text: string,
  options: SignalsImportOptions,
  source = "input",
): SignalsImportResult {
  const { subject, output } = validateImportOptions(options);
  let decision: unknown;
  try {
    decision = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${oneLine(err)})`);
  }
  const result = importDiditDecision(decision, {
    source,
    ...(options.verifiedAt !== undefined ? { verifiedAt: options.verifiedAt } : {}),
  });

  const doc =
    output === "settings"
      ? buildSubjectsSettings(subject, result.signals)
      : buildSignalsConfigMap(subject, result.signals, {
          namespace: options.namespace ?? DEFAULT_NAMESPACE,
          source: "didit",
          sessionId: result.sessionId,
        });
  return { yaml: toYaml(doc), warnings: result.warnings.map((w) => `${source}: ${w}`) };
}

/** Read a decision file (or `-` for stdin), refusing anything over MAX_DECISION_BYTES. */
export async function readDecisionFile(path: string): Promise<string> {
  if (path === "-") return readStdin();
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error(`${path}: not a regular file`);
    size = st.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${path}: no such file`);
    if (code === "EACCES") throw new Error(`${path}: permission denied`);
    throw new Error(oneLine(err).startsWith(path) ? oneLine(err) : `${path}: ${oneLine(err)}`);
  }
  if (size > MAX_DECISION_BYTES) throw tooLarge(path, size);
  const buf = await readFile(path);
  if (buf.length > MAX_DECISION_BYTES) throw tooLarge(path, buf.length);
  return buf.toString("utf8");
}

function tooLarge(source: string, size: number): Error {
  return new Error(
    `${source}: ${(size / (1024 * 1024)).toFixed(1)} MiB is too large for a session decision (limit 16 MiB)`,
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += b.length;
    if (total > MAX_DECISION_BYTES) throw tooLarge("stdin", total);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
}

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

Examples:
  $ idgov signals import decision.json --subject alice@example.com > signals.yaml
  $ kubectl apply -f signals.yaml
  $ idgov signals import decision.json --subject system:serviceaccount:ci:deployer --output settings
  $ curl -s -H "x-api-key: $KEY" https://verification.didit.me/v3/session/$ID/decision/ \\
      | idgov signals import - --subject alice@example.com --namespace security

See docs/identity-signals.md for the record format and the Didit mapping.
`;

/** Adds `signals` (with subcommand `import`) to the idgov CLI. */
export function registerSignalsCommand(program: Command): void {
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
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(result.yaml);
    });
}
