// trusted-registries' decision in plain TypeScript, for the benchmark baseline: the payload
// parsed with JSON.parse, then the same steps as policies/trusted-registries (pod spec of
// the kind, every container's image reference normalised like Docker, registries matched
// against allowedRegistries globs, required labels), answering the same ValidationResponse
// (audit annotations included).
import { globMatch } from "./identity-assurance.js";
import { AUDIT_ANNOTATIONS } from "../../harness/dist/signals/vocabulary.js";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const TEMPLATE_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];
const LISTS: [string, string][] = [["containers", "container"], ["initContainers", "init container"], ["ephemeralContainers", "ephemeral container"]];
const quote = (s: string) => JSON.stringify(s);
const VERSION = "0.1.0";

/** Registry of a Docker image reference, or undefined when it is not a valid reference. */
export function imageRegistry(image: string): string | undefined {
  if (image.length === 0 || image.length > 4096) return undefined;
  let rest = image;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const colon = digest.indexOf(":");
    if (colon <= 0 || colon === digest.length - 1) return undefined;
  }
  const lastSlash = rest.lastIndexOf("/"), lastColon = rest.lastIndexOf(":");
  if (lastColon > lastSlash) {
    const tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(tag)) return undefined;
  }
  let registry = "docker.io", repository = rest;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      repository = rest.slice(firstSlash + 1);
      if (!/^[A-Za-z0-9.:\-[\]]+$/.test(registry)) return undefined;
    }
  }
  if (registry === "index.docker.io") registry = "docker.io";
  if (registry === "docker.io" && !repository.includes("/")) repository = "library/" + repository;
  if (repository.length === 0 || repository.startsWith("/") || repository.endsWith("/") || repository.includes("//") || !/^[a-z0-9._\-/]+$/.test(repository)) return undefined;
  return registry;
}

/** The ValidationResponse JSON trusted-registries would answer for this `validate` payload. */
export function decide(payloadText: string): string {
  const { request, settings } = JSON.parse(payloadText) as { request: Obj; settings: Obj };
  const kind: string = request.kind?.kind ?? "";
  const object = request.object;
  const createsPods = kind === "Pod" || kind === "CronJob" || TEMPLATE_KINDS.includes(kind);
  if (!createsPods || object === null || typeof object !== "object" || Array.isArray(object)) return JSON.stringify({ accepted: true });
  const spec = kind === "Pod" ? object.spec : TEMPLATE_KINDS.includes(kind) ? object.spec?.template?.spec : object.spec?.jobTemplate?.spec?.template?.spec;
  const reasons: string[] = [];
  for (const [list, role] of LISTS) {
    const items = spec?.[list];
    if (!Array.isArray(items)) continue;
    for (const c of items) {
      const name = typeof c?.name === "string" ? c.name : "";
      const image = typeof c?.image === "string" ? c.image : "";
      const who = `${role} ${quote(name)}`;
      if (image === "") { reasons.push(`${who} has no image`); continue; }
      const registry = imageRegistry(image);
      if (registry === undefined) { reasons.push(`${who} image ${quote(image)} is not a valid image reference`); continue; }
      if (!(settings.allowedRegistries as string[]).some((p) => globMatch(p, registry))) {
        reasons.push(`${who} image ${quote(image)} comes from registry ${quote(registry)}, which is not in allowedRegistries`);
      }
    }
  }
  const labels = object.metadata?.labels;
  const keys = labels && typeof labels === "object" && !Array.isArray(labels) ? Object.keys(labels) : [];
  const missing = ((settings.requiredLabels ?? []) as string[]).filter((l) => !keys.includes(l));
  if (missing.length > 0) reasons.push(`missing required labels: ${missing.join(", ")}`);
  const annotate = (decision: string) => ({
    [AUDIT_ANNOTATIONS.policy]: `trusted-registries@${VERSION}`,
    [AUDIT_ANNOTATIONS.rules]: ((settings.requiredLabels ?? []) as string[]).length > 0 ? "allowedRegistries,requiredLabels" : "allowedRegistries",
    [AUDIT_ANNOTATIONS.decision]: decision,
  });
  if (reasons.length === 0) return JSON.stringify({ accepted: true, audit_annotations: annotate("allowed") });
  const metaName = object.metadata?.name;
  const name = typeof metaName === "string" ? metaName : typeof request.name === "string" ? request.name : "";
  return JSON.stringify({ accepted: false, message: `trusted-registries: ${kind} ${name.length > 0 ? `"${name}" ` : ""}rejected: ${reasons.join("; ")}`, code: 400, audit_annotations: annotate("denied") });
}
