// The identity vocabulary is defined once, in assembly/identity/vocabulary.json.
// This generator writes the two tables compiled from it:
//   assembly/identity/vocabulary.ts   for the AssemblyScript SDK and policies
//   harness/src/signals/vocabulary.ts for the harness (signal import, ConfigMaps, baselines)
// `make build` runs it (`node harness/dist/build/vocabulary.js`) and the policy build
// driver calls `writeVocabulary` too; harness/test/vocabulary.test.ts fails when the
// committed files differ from what the data generates.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const VOCABULARY_DATA = "assembly/identity/vocabulary.json";
export const VOCABULARY_AS = "assembly/identity/vocabulary.ts";
export const VOCABULARY_TS = "harness/src/signals/vocabulary.ts";

export interface Vocabulary {
  signalKinds: string[];
  statuses: string[];
  statusesBySeverity: string[];
  amlRisks: string[];
  livenessMethods: string[];
  recordFields: string[];
  sources: string[];
  assuranceLevels: Record<string, { allOf?: string[]; anyOf?: string[] }>;
  futureSkewMinutes: number;
  configMap: {
    namePrefix: string;
    sanitizedMaxLength: number;
    fnvOffsetBasis: number;
    fnvPrime: number;
    defaultNamespace: string;
    subjectKey: string;
  };
  auditAnnotations: { policy: string; rules: string; decision: string; signalSources: string };
  advice: { reverify: string; wait: string; compliance: string; records: string; configuration: string };
}

/** `idDocument` → `id-document`: the spelling of kinds and fields in token-claim keys. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

const IDENTIFIER = /^[a-z][A-Za-z_]*$/;

function stringList(v: unknown, path: string, problems: string[]): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === "string" && IDENTIFIER.test(s))) {
    problems.push(`${path} must be a non-empty list of names (letters and '_')`);
    return [];
  }
  if (new Set(v).size !== v.length) problems.push(`${path} lists a name twice`);
  return v as string[];
}

/** Checks the data's shape; every problem is reported at once, each naming its path. */
export function checkVocabulary(raw: unknown, source = VOCABULARY_DATA): Vocabulary {
  const problems: string[] = [];
  const v = raw as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${source}: must be a JSON object`);
  const kinds = stringList(v.signalKinds, "signalKinds", problems);
  const statuses = stringList(v.statuses, "statuses", problems);
  const bySeverity = stringList(v.statusesBySeverity, "statusesBySeverity", problems);
  if ([...bySeverity].sort().join() !== [...statuses].sort().join()) problems.push("statusesBySeverity must list exactly the statuses");
  if (bySeverity[0] !== "approved" || statuses[0] !== "approved") problems.push("\"approved\" must come first in statuses and statusesBySeverity");
  stringList(v.amlRisks, "amlRisks", problems);
  stringList(v.livenessMethods, "livenessMethods", problems);
  const fields = stringList(v.recordFields, "recordFields", problems);
  for (const required of ["status", "verifiedAt", "score", "risk", "expiresAt", "method"]) {
    if (!fields.includes(required)) problems.push(`recordFields must include ${required} (the parsers read it)`);
  }
  const sources = stringList(v.sources, "sources", problems);
  if (sources.join() !== "settings,claims,cluster") problems.push("sources must be [settings, claims, cluster] (the SDK reads each)");
  const levels = v.assuranceLevels as Record<string, { allOf?: unknown; anyOf?: unknown }> | undefined;
  if (typeof levels !== "object" || levels === null || Object.keys(levels).length === 0) problems.push("assuranceLevels must be an object of levels");
  else {
    for (const [name, level] of Object.entries(levels)) {
      if (!/^[A-Z][A-Z0-9]*$/.test(name)) problems.push(`assuranceLevels.${name}: level names are upper-case letters and digits`);
      for (const key of Object.keys(level ?? {})) if (key !== "allOf" && key !== "anyOf") problems.push(`assuranceLevels.${name}.${key}: unknown key (allOf, anyOf)`);
      for (const key of ["allOf", "anyOf"] as const) {
        if (level?.[key] === undefined) continue;
        for (const k of stringList(level[key], `assuranceLevels.${name}.${key}`, problems)) {
          if (!kinds.includes(k)) problems.push(`assuranceLevels.${name}.${key}: unknown signal kind ${JSON.stringify(k)}`);
        }
      }
      if (level?.allOf === undefined && level?.anyOf === undefined) problems.push(`assuranceLevels.${name}: needs allOf or anyOf`);
    }
  }
  if (!Number.isInteger(v.futureSkewMinutes) || (v.futureSkewMinutes as number) < 0) problems.push("futureSkewMinutes must be a whole number ≥ 0");
  const cm = (v.configMap ?? {}) as Record<string, unknown>;
  for (const key of ["namePrefix", "defaultNamespace", "subjectKey"]) if (typeof cm[key] !== "string" || cm[key] === "") problems.push(`configMap.${key} must be a non-empty string`);
  for (const key of ["sanitizedMaxLength", "fnvOffsetBasis", "fnvPrime"]) {
    const n = cm[key];
    if (!Number.isInteger(n) || (n as number) <= 0 || (n as number) > 0xffffffff) problems.push(`configMap.${key} must be a whole number 1..2^32-1`);
  }
  for (const [group, keys] of [["auditAnnotations", ["policy", "rules", "decision", "signalSources"]], ["advice", ["reverify", "wait", "compliance", "records", "configuration"]]] as const) {
    const o = (v[group] ?? {}) as Record<string, unknown>;
    for (const key of keys) if (typeof o[key] !== "string" || o[key] === "") problems.push(`${group}.${key} must be a non-empty string`);
    for (const key of Object.keys(o)) if (!(keys as readonly string[]).includes(key)) problems.push(`${group}.${key}: unknown key`);
  }
  if (problems.length > 0) throw new Error(`${source}: ${problems.join("; ")}`);
  return raw as Vocabulary;
}

export function loadVocabulary(repoRoot: string): Vocabulary {
  const file = join(repoRoot, VOCABULARY_DATA);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${VOCABULARY_DATA}: ${(err as Error).message}`);
  }
  return checkVocabulary(raw);
}

const HEADER = `// Generated from ${VOCABULARY_DATA} by harness/src/build/vocabulary.ts (make build). Do not edit.\n`;
const json = (v: unknown) => JSON.stringify(v).replace(/,/g, ", ");

/** The AssemblyScript table (plain arrays and constants: AS has no `as const`). */
export function renderAssemblyScript(v: Vocabulary): string {
  const levels = Object.entries(v.assuranceLevels);
  const lines = [
    HEADER,
    "/** Signal kinds, exact names used in settings, cluster objects and messages. */",
    `export const SIGNAL_KINDS: string[] = ${json(v.signalKinds)};`,
    "/** The same kinds in kebab case, as used in token-claim keys (same order). */",
    `export const CLAIM_KINDS: string[] = ${json(v.signalKinds.map(kebabCase))};`,
    `export const STATUSES: string[] = ${json(v.statuses)};`,
    "/** Statuses from best to worst: on a tie in time the worse one wins. */",
    `export const STATUSES_BY_SEVERITY: string[] = ${json(v.statusesBySeverity)};`,
    "/** AML risk ladder, lowest first; the index is the rank. */",
    `export const RISKS: string[] = ${json(v.amlRisks)};`,
    `export const METHODS: string[] = ${json(v.livenessMethods)};`,
    `export const RECORD_FIELDS: string[] = ${json(v.recordFields)};`,
    "/** Record fields in kebab case, as claim-key suffixes (same order as RECORD_FIELDS). */",
    `export const CLAIM_FIELDS: string[] = ${json(v.recordFields.map(kebabCase))};`,
    "/** Where an observation came from (named in audit annotations and messages). */",
    ...v.sources.map((s) => `export const SOURCE_${s.toUpperCase()} = ${JSON.stringify(s)};`),
    "/** Assurance levels and the signals each requires (allOf: every one; anyOf: at least one). */",
    `export const ASSURANCE_LEVELS: string[] = ${json(levels.map(([name]) => name))};`,
    `export const ASSURANCE_ALL_OF: string[][] = [${levels.map(([, l]) => json(l.allOf ?? [])).join(", ")}];`,
    `export const ASSURANCE_ANY_OF: string[][] = [${levels.map(([, l]) => json(l.anyOf ?? [])).join(", ")}];`,
    "/** A verifiedAt at most this far after the policy's clock is clock skew, not the future. */",
    `export const FUTURE_SKEW_MS: i64 = ${v.futureSkewMinutes * 60_000};`,
    "/** The subject ConfigMap's name scheme: `<prefix><sanitised username, at most max>-<fnv1a32 hex>`. */",
    `export const CONFIGMAP_NAME_PREFIX = ${JSON.stringify(v.configMap.namePrefix)};`,
    `export const CONFIGMAP_SANITIZED_MAX: i32 = ${v.configMap.sanitizedMaxLength};`,
    `export const FNV_OFFSET_BASIS: u32 = ${v.configMap.fnvOffsetBasis};`,
    `export const FNV_PRIME: u32 = ${v.configMap.fnvPrime};`,
    `export const CONFIGMAP_DEFAULT_NAMESPACE = ${JSON.stringify(v.configMap.defaultNamespace)};`,
    `export const CONFIGMAP_SUBJECT_KEY = ${JSON.stringify(v.configMap.subjectKey)};`,
    "/** Audit-annotation keys (no \"/\": the API server prefixes them with the webhook name). */",
    `export const ANNOTATION_POLICY = ${JSON.stringify(v.auditAnnotations.policy)};`,
    `export const ANNOTATION_RULES = ${JSON.stringify(v.auditAnnotations.rules)};`,
    `export const ANNOTATION_DECISION = ${JSON.stringify(v.auditAnnotations.decision)};`,
    `export const ANNOTATION_SIGNAL_SOURCES = ${JSON.stringify(v.auditAnnotations.signalSources)};`,
    "/** The advice closing a rejection, by cause. */",
    `export const ADVICE_REVERIFY = ${JSON.stringify(v.advice.reverify)};`,
    `export const ADVICE_WAIT = ${JSON.stringify(v.advice.wait)};`,
    `export const ADVICE_COMPLIANCE = ${JSON.stringify(v.advice.compliance)};`,
    `export const ADVICE_RECORDS = ${JSON.stringify(v.advice.records)};`,
    `export const ADVICE_CONFIGURATION = ${JSON.stringify(v.advice.configuration)};`,
  ];
  return lines.join("\n") + "\n";
}

/** The TypeScript table (readonly tuples, so the harness gets literal union types). */
export function renderTypeScript(v: Vocabulary): string {
  const tuple = (values: string[]) => `[${values.map((s) => JSON.stringify(s)).join(", ")}] as const`;
  const lines = [
    HEADER,
    "/** Signal kinds, in the canonical order used for output. */",
    `export const SIGNAL_KINDS = ${tuple(v.signalKinds)};`,
    "/** The same kinds in kebab case, as used in token-claim keys (same order). */",
    `export const CLAIM_KINDS = ${tuple(v.signalKinds.map(kebabCase))};`,
    `export const SIGNAL_STATUSES = ${tuple(v.statuses)};`,
    "/** Statuses from best to worst: on a tie in time the worse one wins. */",
    `export const STATUSES_BY_SEVERITY = ${tuple(v.statusesBySeverity)};`,
    "/** AML risk ladder, lowest first; the index is the rank. */",
    `export const AML_RISKS = ${tuple(v.amlRisks)};`,
    `export const LIVENESS_METHODS = ${tuple(v.livenessMethods)};`,
    "/** Record fields in canonical (output) order. */",
    `export const RECORD_FIELDS = ${tuple(v.recordFields)};`,
    "/** Record fields in kebab case, as claim-key suffixes (same order as RECORD_FIELDS). */",
    `export const CLAIM_FIELDS = ${tuple(v.recordFields.map(kebabCase))};`,
    `export const SOURCES = ${tuple(v.sources)};`,
    "/** Assurance levels and the signals each requires (allOf: every one; anyOf: at least one). */",
    `export const ASSURANCE_LEVELS: Readonly<Record<string, { readonly allOf: readonly string[]; readonly anyOf: readonly string[] }>> = {`,
    ...Object.entries(v.assuranceLevels).map(([name, l]) => `  ${name}: { allOf: ${json(l.allOf ?? [])}, anyOf: ${json(l.anyOf ?? [])} },`),
    "};",
    "/** A verifiedAt at most this far after the policy's clock is clock skew, not the future. */",
    `export const FUTURE_SKEW_MS = ${v.futureSkewMinutes * 60_000};`,
    "/** The subject ConfigMap's name scheme: `<prefix><sanitised username, at most max>-<fnv1a32 hex>`. */",
    `export const CONFIGMAP_NAME_PREFIX = ${JSON.stringify(v.configMap.namePrefix)};`,
    `export const CONFIGMAP_SANITIZED_MAX = ${v.configMap.sanitizedMaxLength};`,
    `export const FNV_OFFSET_BASIS = ${v.configMap.fnvOffsetBasis};`,
    `export const FNV_PRIME = ${v.configMap.fnvPrime};`,
    `export const CONFIGMAP_DEFAULT_NAMESPACE = ${JSON.stringify(v.configMap.defaultNamespace)};`,
    `export const CONFIGMAP_SUBJECT_KEY = ${JSON.stringify(v.configMap.subjectKey)};`,
    "/** Audit-annotation keys (no \"/\": the API server prefixes them with the webhook name). */",
    "export const AUDIT_ANNOTATIONS = {",
    ...Object.entries(v.auditAnnotations).map(([k, key]) => `  ${k}: ${JSON.stringify(key)},`),
    "} as const;",
    "/** The advice closing a rejection, by cause. */",
    `export const ADVICE = {`,
    ...Object.entries(v.advice).map(([k, text]) => `  ${k}: ${JSON.stringify(text)},`),
    "} as const;",
  ];
  return lines.join("\n") + "\n";
}

/** The generated files and their contents. */
export function vocabularyFiles(repoRoot: string): { path: string; content: string }[] {
  const v = loadVocabulary(repoRoot);
  return [
    { path: VOCABULARY_AS, content: renderAssemblyScript(v) },
    { path: VOCABULARY_TS, content: renderTypeScript(v) },
  ];
}

/** Writes the generated files that differ from the data; returns the paths it rewrote. */
export function writeVocabulary(repoRoot: string): string[] {
  const changed: string[] = [];
  for (const f of vocabularyFiles(repoRoot)) {
    const file = join(repoRoot, f.path);
    if (existsSync(file) && readFileSync(file, "utf8") === f.content) continue;
    writeFileSync(file, f.content);
    changed.push(f.path);
  }
  return changed;
}

// `node harness/dist/build/vocabulary.js`: exit 0 when the files were current, 2 when it
// rewrote some (the Makefile then compiles the harness again), 1 on bad data.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  try {
    const changed = writeVocabulary(repoRoot);
    for (const path of changed) console.log(`generated ${path}`);
    process.exitCode = changed.length > 0 ? 2 : 0;
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
