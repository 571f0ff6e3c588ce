// AdmissionRequest fixtures: a bare AdmissionRequest or a whole AdmissionReview, JSON or
// YAML, checked like kwctl (serde into policy-evaluator's AdmissionRequest) and re-serialised
// like the host (camelCase, absent optionals skipped, unknown fields dropped).
import { existsSync } from "node:fs";
import { IdgovError } from "../errors.js";
import { parseDocument, readSourceText, type ReadOptions } from "./input.js";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** k8s authentication/v1 UserInfo */
export interface UserInfo {
  extra?: Record<string, string[]>;
  groups?: string[];
  uid?: string;
  username?: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

const KWCTL_PREFIX = "cannot build AdmissionRequest object from given input";
const REQUIRED_HINT = "kwctl requires uid, kind{group,version,kind}, resource{group,version,resource}, operation and userInfo";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`);

/**
 * Checks and normalises an AdmissionRequest or AdmissionReview value. Throws IdgovError naming
 * every missing or mistyped field. `source` names the input in messages.
 */
export function toAdmissionRequest(input: unknown, source = "input"): AdmissionRequest {
  if (!isObject(input)) throw new IdgovError(`Invalid request object in ${source}: expected a mapping (an AdmissionRequest or AdmissionReview), got ${typeName(input)}`);
  let req: unknown = input;
  if (input.kind === "AdmissionReview") {
    if (!("request" in input) || input.request === null || input.request === undefined) {
      throw new IdgovError(`invalid AdmissionReview object in ${source}: it has no \`request\``);
    }
    req = input.request;
  }
  if (!isObject(req)) throw new IdgovError(`${KWCTL_PREFIX} (${source}): the request is ${typeName(req)}, not a mapping`);

  const missing: string[] = [];
  const wrong: string[] = [];
  const str = (obj: Record<string, unknown>, key: string, label: string, required: boolean): string | undefined => {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (required) missing.push(label);
      return undefined;
    }
    if (typeof v !== "string") {
      wrong.push(`\`${label}\` must be a string, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  };
  const triple = <K extends string>(key: string, keys: readonly K[], required: boolean): Record<K, string> | undefined => {
    const v = req[key];
    if (v === undefined || v === null) {
      if (required) missing.push(key);
      return undefined;
    }
    if (!isObject(v)) {
      wrong.push(`\`${key}\` must be a mapping {${keys.join(", ")}}, got ${typeName(v)}`);
      return undefined;
    }
    const out = {} as Record<K, string>;
    for (const k of keys) out[k] = str(v, k, `${key}.${k}`, true) as string;
    return out;
  };

  const uid = str(req, "uid", "uid", true);
  const kind = triple("kind", ["group", "version", "kind"] as const, true);
  const resource = triple("resource", ["group", "version", "resource"] as const, true);
  const subResource = str(req, "subResource", "subResource", false);
  const requestKind = triple("requestKind", ["group", "version", "kind"] as const, false);
  const requestResource = triple("requestResource", ["group", "version", "resource"] as const, false);
  const requestSubResource = str(req, "requestSubResource", "requestSubResource", false);
  const name = str(req, "name", "name", false);
  const namespace = str(req, "namespace", "namespace", false);
  const operation = str(req, "operation", "operation", true);

  let userInfo: UserInfo | undefined;
  const ui = req.userInfo;
  if (ui === undefined || ui === null) missing.push("userInfo");
  else if (!isObject(ui)) wrong.push(`\`userInfo\` must be a mapping, got ${typeName(ui)}`);
  else {
    userInfo = {};
    if (ui.extra !== undefined && ui.extra !== null) {
      if (!isObject(ui.extra) || !Object.values(ui.extra).every((x) => Array.isArray(x) && x.every((s) => typeof s === "string"))) {
        wrong.push("`userInfo.extra` must map keys to lists of strings");
      } else userInfo.extra = ui.extra as Record<string, string[]>;
    }
    if (ui.groups !== undefined && ui.groups !== null) {
      if (!Array.isArray(ui.groups) || !ui.groups.every((g) => typeof g === "string")) wrong.push("`userInfo.groups` must be a list of strings");
      else userInfo.groups = ui.groups as string[];
    }
    const u = str(ui, "uid", "userInfo.uid", false);
    if (u !== undefined) userInfo.uid = u;
    const n = str(ui, "username", "userInfo.username", false);
    if (n !== undefined) userInfo.username = n;
  }
  let dryRun: boolean | undefined;
  if (req.dryRun !== undefined && req.dryRun !== null) {
    if (typeof req.dryRun !== "boolean") wrong.push(`\`dryRun\` must be true or false, got ${typeName(req.dryRun)}`);
    else dryRun = req.dryRun;
  }

  if (missing.length > 0 || wrong.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing field${missing.length > 1 ? "s" : ""} ${missing.map((m) => `\`${m}\``).join(", ")}`);
    parts.push(...wrong);
    throw new IdgovError(`${KWCTL_PREFIX} (${source}): ${parts.join("; ")} (${REQUIRED_HINT})`);
  }

  // Host serialisation order (policy-evaluator's AdmissionRequest struct), optionals skipped.
  const out: AdmissionRequest = { uid: uid!, kind: kind!, resource: resource! } as AdmissionRequest;
  if (subResource !== undefined) out.subResource = subResource;
  if (requestKind) out.requestKind = requestKind;
  if (requestResource) out.requestResource = requestResource;
  if (requestSubResource !== undefined) out.requestSubResource = requestSubResource;
  if (name !== undefined) out.name = name;
  if (namespace !== undefined) out.namespace = namespace;
  out.operation = operation!;
  out.userInfo = userInfo!;
  if (req.object !== undefined && req.object !== null) out.object = req.object;
  if (req.oldObject !== undefined && req.oldObject !== null) out.oldObject = req.oldObject;
  if (dryRun !== undefined) out.dryRun = dryRun;
  if (req.options !== undefined && req.options !== null) out.options = req.options;
  return out;
}

/**
 * Reads an AdmissionRequest fixture: a file path, `-` for stdin, or the JSON/YAML text itself.
 * Accepts a bare AdmissionRequest or an AdmissionReview (its `request` is used).
 */
export function readAdmissionRequest(pathOrText: string, options: Partial<ReadOptions> = {}): AdmissionRequest {
  const opts: ReadOptions = { what: "request", ...options };
  const { value, source } = readDocument(pathOrText, opts);
  return toAdmissionRequest(value, source);
}

/** Reads a JSON/YAML document from a path, `-` (stdin) or inline text. */
export function readDocument(pathOrText: string, opts: ReadOptions): { value: unknown; source: string } {
  const looksInline = !existsSync(pathOrText) && pathOrText !== "-" && (/^\s*[{[]/.test(pathOrText) || pathOrText.includes("\n"));
  if (looksInline) return { value: parseDocument(pathOrText, "inline text", opts), source: "inline text" };
  const source = pathOrText === "-" ? "stdin" : pathOrText;
  return { value: parseDocument(readSourceText(pathOrText, opts), source, opts), source };
}
