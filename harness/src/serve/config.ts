// `idgov serve --config policies.yml`: the file shaped like policy-server's policies.yml
// (crates/policy-server/src/config.rs): a mapping of policy id → a policy or a policy group.
// Every field is checked and every problem reported at once, naming the policy and field;
// unknown fields are errors (a typo must not silently drop a setting).
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { parseYaml } from "../yaml.js";
import { IdgovError } from "../errors.js";
import { readSourceText } from "../admission/input.js";
import { normalizeSettings } from "../admission/settings.js";
import { prepareSettings, type PreparedSettings } from "../admission/payload.js";
import type { PolicyMode } from "../admission/response.js";
import type { ContextAwareResource } from "../runtime/loading/metadata.js";
import { HostCapabilityAllowList } from "../host/allow-list.js";
import { isRegistryUri, parseReference } from "../oci/reference.js";
import { resolvePolicySource, type SourceOptions } from "../oci/policy-source.js";

/** What every evaluated module (a policy, or a member of a group) needs. */
export interface ModuleSpec {
  /** resolved file path of the .wasm module, or of a policy directory ("" until a registry ref is pulled) */
  module: string;
  /** the `registry://` reference `module:` gave; resolveRemoteModules pulls it and fills in `module` */
  registryRef?: string;
  settings: PreparedSettings;
  contextAwareResources: ContextAwareResource[];
  /** policy-server: absent or empty denies every host capability (the controller fills it in a cluster) */
  hostCapabilities: string[];
  /** null = the server's --policy-timeout */
  timeoutEvalSeconds: number | null;
}

export interface PolicyEntry extends ModuleSpec {
  kind: "policy";
  id: string;
  policyMode: PolicyMode;
  allowedToMutate: boolean;
  message?: string;
}

export interface GroupMember extends ModuleSpec {
  name: string;
}

export interface PolicyGroupEntry {
  kind: "group";
  id: string;
  policyMode: PolicyMode;
  /** CEL; each member is a zero-argument function named after it */
  expression: string;
  message: string;
  members: GroupMember[];
}

export type ServeEntry = PolicyEntry | PolicyGroupEntry;

export interface ServeConfig {
  source: string;
  entries: Map<string, ServeEntry>;
}

const POLICY_FIELDS = ["module", "settings", "allowedToMutate", "contextAwareResources", "policyMode", "message", "timeoutEvalSeconds", "hostCapabilities"];
const GROUP_FIELDS = ["policies", "expression", "message", "policyMode"];
const MEMBER_FIELDS = ["module", "settings", "contextAwareResources", "timeoutEvalSeconds", "hostCapabilities"];
/** Member names are CEL function names in the group's expression. */
const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Ids become URL path segments (`/validate/{id}`). */
const POLICY_ID = /^[A-Za-z0-9._-]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Where a local `module:` value points (a path relative to the config file, or file://<path>).
 * `registry://` references are recorded by moduleSpec and pulled at start (resolveRemoteModules);
 * policy-server's `https://` downloads are not supported.
 */
export function resolveModulePath(ref: string, baseDir: string): string {
  if (/^(https?|oci):\/\//.test(ref)) {
    throw new Error(
      `${JSON.stringify(ref)}: idgov serve loads local files and registry:// references only: push the module to a registry and give registry://<host>/<repo>:<tag>, or download it and give its file path`,
    );
  }
  const local = ref.startsWith("file://") ? ref.slice("file://".length) : ref;
  const resolved = path.resolve(baseDir, local);
  if (!existsSync(resolved)) {
    const looksRemote = !ref.startsWith("file://") && /^[a-z0-9.-]+\.[a-z]{2,}(:\d+)?\/.+/i.test(ref);
    throw new Error(
      looksRemote
        ? `${JSON.stringify(ref)} looks like a registry reference: write it as registry://${ref} (policy-server reads it that way), or give a local file path`
        : `module ${JSON.stringify(ref)} not found (looked for ${resolved}): give a .wasm file or a policy directory, relative to the config file, or a registry:// reference`,
    );
  }
  return resolved;
}

/**
 * Pulls every `registry://` module of the config into the store (once per distinct ref) and
 * points its spec at the stored file. Runs at server start, before the modules are loaded.
 */
export async function resolveRemoteModules(config: ServeConfig, opts: SourceOptions = {}): Promise<void> {
  const pulled = new Map<string, Promise<string>>();
  for (const entry of config.entries.values()) {
    for (const spec of modulesOf(entry)) {
      if (spec.registryRef === undefined) continue;
      const ref = spec.registryRef;
      if (!pulled.has(ref)) pulled.set(ref, resolvePolicySource(ref, opts));
      try {
        spec.module = await pulled.get(ref)!;
      } catch (e) {
        const where = entry.kind === "policy" ? `policy ${JSON.stringify(entry.id)}` : `policy group ${JSON.stringify(entry.id)}`;
        throw new IdgovError(`${config.source}: ${where}: cannot pull ${ref}: ${(e as Error).message}`);
      }
    }
  }
}

class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    this.list.push(`${where}: ${what}`);
  }
}

function checkUnknown(obj: Record<string, unknown>, allowed: string[], where: string, problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.add(where, `unknown field \`${key}\` (allowed: ${allowed.join(", ")})`);
  }
}

function policyMode(v: unknown, where: string, problems: Problems): PolicyMode {
  if (v === undefined || v === null) return "protect";
  if (v === "protect" || v === "monitor") return v;
  problems.add(where, `policyMode must be protect or monitor, got ${JSON.stringify(v)}`);
  return "protect";
}

function moduleSpec(obj: Record<string, unknown>, where: string, baseDir: string, problems: Problems): ModuleSpec {
  let module = "";
  let registryRef: string | undefined;
  if (typeof obj.module !== "string" || obj.module.trim() === "") problems.add(where, "`module` is required: a .wasm file, a policy directory or a registry:// reference");
  else if (isRegistryUri(obj.module)) {
    try {
      parseReference(obj.module);
      registryRef = obj.module;
    } catch (e) {
      problems.add(where, (e as Error).message);
    }
  } else {
    try {
      module = resolveModulePath(obj.module, baseDir);
    } catch (e) {
      problems.add(where, (e as Error).message);
    }
  }
  let settings = prepareSettings({});
  try {
    // Serialised once here, not on every evaluation (normalised first: a YAML string is not JSON text).
    settings = prepareSettings(normalizeSettings(obj.settings, `${where} settings`), `${where} settings`);
  } catch (e) {
    problems.add(where, (e as Error).message);
  }
  const contextAwareResources: ContextAwareResource[] = [];
  if (obj.contextAwareResources !== undefined && obj.contextAwareResources !== null) {
    if (!Array.isArray(obj.contextAwareResources)) problems.add(where, "contextAwareResources must be a list of {apiVersion, kind}");
    else {
      obj.contextAwareResources.forEach((r, i) => {
        if (isObject(r) && typeof r.apiVersion === "string" && typeof r.kind === "string" && Object.keys(r).length === 2) {
          contextAwareResources.push({ apiVersion: r.apiVersion, kind: r.kind });
        } else problems.add(where, `contextAwareResources[${i}] must be {apiVersion: <string>, kind: <string>}`);
      });
    }
  }
  let hostCapabilities: string[] = [];
  if (obj.hostCapabilities !== undefined && obj.hostCapabilities !== null) {
    if (!Array.isArray(obj.hostCapabilities) || !obj.hostCapabilities.every((p) => typeof p === "string")) {
      problems.add(where, "hostCapabilities must be a list of patterns (*, ns/*, ns/v1/*, ns/op)");
    } else {
      hostCapabilities = obj.hostCapabilities as string[];
      try {
        HostCapabilityAllowList.parse(hostCapabilities);
      } catch (e) {
        problems.add(where, `hostCapabilities: ${(e as Error).message}`);
      }
    }
  }
  let timeoutEvalSeconds: number | null = null;
  if (obj.timeoutEvalSeconds !== undefined && obj.timeoutEvalSeconds !== null) {
    const t = obj.timeoutEvalSeconds;
    if (typeof t !== "number" || !Number.isInteger(t) || t <= 0) problems.add(where, `timeoutEvalSeconds must be a positive whole number of seconds, got ${JSON.stringify(t)}`);
    else timeoutEvalSeconds = t;
  }
  return { module, ...(registryRef !== undefined ? { registryRef } : {}), settings, contextAwareResources, hostCapabilities, timeoutEvalSeconds };
}

function policyEntry(id: string, obj: Record<string, unknown>, baseDir: string, problems: Problems): PolicyEntry {
  const where = `policy ${JSON.stringify(id)}`;
  checkUnknown(obj, POLICY_FIELDS, where, problems);
  const spec = moduleSpec(obj, where, baseDir, problems);
  if (obj.allowedToMutate !== undefined && obj.allowedToMutate !== null && typeof obj.allowedToMutate !== "boolean") {
    problems.add(where, "allowedToMutate must be true or false");
  }
  if (obj.message !== undefined && obj.message !== null && typeof obj.message !== "string") problems.add(where, "message must be a string");
  const entry: PolicyEntry = {
    kind: "policy",
    id,
    ...spec,
    policyMode: policyMode(obj.policyMode, where, problems),
    allowedToMutate: obj.allowedToMutate === true,
  };
  if (typeof obj.message === "string") entry.message = obj.message;
  return entry;
}

function groupEntry(id: string, obj: Record<string, unknown>, baseDir: string, problems: Problems): PolicyGroupEntry {
  const where = `policy group ${JSON.stringify(id)}`;
  checkUnknown(obj, GROUP_FIELDS, where, problems);
  if (typeof obj.expression !== "string" || obj.expression.trim() === "") problems.add(where, "`expression` (CEL) is required");
  if (typeof obj.message !== "string") problems.add(where, "`message` is required: the rejection message when the expression is false");
  const members: GroupMember[] = [];
  if (!isObject(obj.policies) || Object.keys(obj.policies).length === 0) {
    problems.add(where, "`policies` must be a mapping of member name → {module, settings, ...}");
  } else {
    for (const [name, m] of Object.entries(obj.policies)) {
      const mWhere = `${where} member ${JSON.stringify(name)}`;
      if (!MEMBER_NAME.test(name)) {
        problems.add(mWhere, "member names are CEL function names: letters, digits and _, not starting with a digit");
      }
      if (!isObject(m)) {
        problems.add(mWhere, "must be a mapping {module, settings, ...}");
        continue;
      }
      checkUnknown(m, MEMBER_FIELDS, mWhere, problems);
      members.push({ name, ...moduleSpec(m, mWhere, baseDir, problems) });
    }
  }
  return {
    kind: "group",
    id,
    policyMode: policyMode(obj.policyMode, where, problems),
    expression: typeof obj.expression === "string" ? obj.expression : "",
    message: typeof obj.message === "string" ? obj.message : "",
    members,
  };
}

/** Parses policies.yml text; throws IdgovError listing every problem. */
export function parseServeConfig(text: string, source: string, baseDir: string): ServeConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new IdgovError(`cannot parse ${source}: ${(e as Error).message}`);
  }
  if (!isObject(doc) || Object.keys(doc).length === 0) {
    throw new IdgovError(`${source} must be a mapping of policy id → {module, settings, ...} (policy-server's policies.yml shape) with at least one policy`);
  }
  const problems = new Problems();
  const entries = new Map<string, ServeEntry>();
  for (const [id, value] of Object.entries(doc)) {
    if (!POLICY_ID.test(id)) problems.add(`policy ${JSON.stringify(id)}`, "ids are URL path segments: use letters, digits, '.', '_' and '-'");
    if (!isObject(value)) {
      problems.add(`policy ${JSON.stringify(id)}`, "must be a mapping {module, settings, ...} or a group {policies, expression, message}");
      continue;
    }
    // policy-server's untagged enum: a group is what has `policies` and no `module`.
    const entry = "policies" in value && !("module" in value) ? groupEntry(id, value, baseDir, problems) : policyEntry(id, value, baseDir, problems);
    entries.set(id, entry);
  }
  if (problems.list.length > 0) throw new IdgovError(`invalid ${source}: ${problems.list.join("; ")}`);
  return { source, entries };
}

export function readServeConfig(file: string): ServeConfig {
  if (!existsSync(file) || !statSync(file).isFile()) throw new IdgovError(`config file ${file} not found: give a policies.yml (policy id → module, settings, ...)`);
  const text = readSourceText(file, { what: "config" });
  return parseServeConfig(text, file, path.dirname(path.resolve(file)));
}

/** Every module spec of an entry: the policy itself, or each member of a group. */
export function modulesOf(entry: ServeEntry): ModuleSpec[] {
  return entry.kind === "policy" ? [entry] : entry.members;
}
