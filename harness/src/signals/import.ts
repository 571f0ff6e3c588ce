// `idgov signals import`: an identity-verification vendor decision (Didit) → the YAML
// document to print: a ConfigMap manifest, a `subjects` settings entry, or a host-capabilities
// fixture answering the policy's read of that ConfigMap. Pure conversion plus a bounded reader;
// the command (commands/signals.ts) only wires options and output.
import { readFile, stat } from "node:fs/promises";
import { stringify } from "yaml";
import { IdgovError } from "../errors.js";
import { buildSignalsConfigMap, configMapFixture, DEFAULT_NAMESPACE, isDnsLabel } from "./configmap.js";
import { importDiditDecision } from "./didit.js";
import { buildSubjectsSettings, normalizeTimestamp, oneLine } from "./records.js";

/** Largest decision file accepted. */
export const MAX_DECISION_BYTES = 16 * 1024 * 1024;

export const OUTPUT_FORMATS = ["configmap", "settings", "fixture"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface SignalsImportOptions {
  /** Kubernetes username the signals belong to (required, non-empty, used exactly as given). */
  subject?: string;
  /** `configmap` (default), `settings` or `fixture`. */
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

const FIXTURE_HEADER
  = "# Host-capability answers for `idgov run <policy> --allow-context-aware --host-capabilities-fixtures <this file>`:\n"
    + "# the policy's kubernetes/get_resource of this ConfigMap gets it, as from a cluster holding it.\n";

/** Check the options that do not depend on the input; throws an IdgovError with a one-line message. */
export function validateImportOptions(options: SignalsImportOptions): { subject: string; output: OutputFormat } {
  const subject = options.subject;
  if (subject === undefined) {
    throw new IdgovError("missing --subject <username>: the Kubernetes username the signals belong to");
  }
  if (subject.trim() === "") throw new IdgovError("--subject must not be empty");
  const output = options.output ?? "configmap";
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new IdgovError(`unknown --output ${JSON.stringify(output)}: expected one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  if (options.namespace !== undefined && !isDnsLabel(options.namespace)) {
    throw new IdgovError(
      `--namespace ${JSON.stringify(options.namespace)} is not a valid namespace name (lowercase letters, digits and '-', at most 63)`,
    );
  }
  if (options.verifiedAt !== undefined && normalizeTimestamp(options.verifiedAt, true) === undefined) {
    throw new IdgovError(
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
    throw new IdgovError(`${source}: not valid JSON (${oneLine(err)})`);
  }
  const result = importDiditDecision(decision, {
    source,
    ...(options.verifiedAt !== undefined ? { verifiedAt: options.verifiedAt } : {}),
  });
  const warnings = result.warnings.map((w) => `${source}: ${w}`);
  if (output === "settings") return { yaml: toYaml(buildSubjectsSettings(subject, result.signals)), warnings };
  const configMap = buildSignalsConfigMap(subject, result.signals, {
    namespace: options.namespace ?? DEFAULT_NAMESPACE,
    source: "didit",
    sessionId: result.sessionId,
  });
  if (output === "fixture") return { yaml: FIXTURE_HEADER + toYaml(configMapFixture(configMap)), warnings };
  return { yaml: toYaml(configMap), warnings };
}

/** Read a decision file (or `-` for stdin), refusing anything over MAX_DECISION_BYTES. */
export async function readDecisionFile(path: string): Promise<string> {
  if (path === "-") return readStdin();
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new IdgovError(`${path}: not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof IdgovError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new IdgovError(`${path}: no such file`);
    if (code === "EACCES") throw new IdgovError(`${path}: permission denied`);
    throw new IdgovError(oneLine(err).startsWith(path) ? oneLine(err) : `${path}: ${oneLine(err)}`);
  }
  if (size > MAX_DECISION_BYTES) throw tooLarge(path, size);
  const buf = await readFile(path);
  if (buf.length > MAX_DECISION_BYTES) throw tooLarge(path, buf.length);
  return buf.toString("utf8");
}

function tooLarge(source: string, size: number): IdgovError {
  return new IdgovError(
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
