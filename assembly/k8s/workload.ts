// Where the pod spec lives in the objects that create Pods, and the containers in it.
import { Json } from "../json/view";

/** Kinds whose pod template sits at spec.template.spec. */
const TEMPLATE_KINDS: string[] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];

/**
 * Dotted path of the pod spec inside an object of `kind`: Pod → spec,
 * workloads → spec.template.spec, CronJob → spec.jobTemplate.spec.template.spec;
 * "" for kinds that create no Pods.
 */
export function podSpecPath(kind: string): string {
  if (kind == "Pod") return "spec";
  if (TEMPLATE_KINDS.includes(kind)) return "spec.template.spec";
  if (kind == "CronJob") return "spec.jobTemplate.spec.template.spec";
  return "";
}

/**
 * Dotted path of the metadata the Pods will carry (their labels and
 * annotations): Pod → metadata, workloads → the template's metadata; "" for
 * kinds that create no Pods.
 */
export function podMetadataPath(kind: string): string {
  if (kind == "Pod") return "metadata";
  const spec = podSpecPath(kind);
  return spec.length > 0 ? spec.substring(0, spec.length - "spec".length) + "metadata" : "";
}

/** Does this kind carry a pod spec (whether or not this object has one)? */
export function createsPods(kind: string): bool {
  return podSpecPath(kind).length > 0;
}

export class ContainerRef {
  constructor(
    /** "container", "init container" or "ephemeral container". */
    public role: string,
    public name: string,
    /** The `image` string ("" when absent or not a string). */
    public image: string,
    /** JSON type of `image` as found: "string", "missing", "null", "number"… */
    public imageType: string,
  ) {}

  get hasImage(): bool { return this.imageType != "missing" && this.imageType != "null"; }
  get imageIsString(): bool { return this.imageType == "string"; }
}

/** The containers of a pod spec, and why a list could not be read (fail closed on them). */
export class PodContainers {
  containers: ContainerRef[] = [];
  /** E.g. `spec.containers is not a list (got object)`; empty when every list was readable. */
  problems: string[] = [];
}

const CONTAINER_LISTS: string[] = ["containers", "initContainers", "ephemeralContainers"];
const ROLES: string[] = ["container", "init container", "ephemeral container"];
const CONTAINER_KEYS: string[] = ["name", "image"];

/**
 * Paths below the object of its three container lists (containers,
 * initContainers, ephemeralContainers), for `select` together with other
 * fields; [] for kinds that create no Pods.
 */
export function containerListPaths(kind: string): string[] {
  const base = podSpecPath(kind);
  const out = new Array<string>();
  if (base.length == 0) return out;
  for (let i = 0; i < CONTAINER_LISTS.length; i++) out.push(base + "." + CONTAINER_LISTS[i]);
  return out;
}

/**
 * The containers of the three lists, given as found at containerListPaths
 * (`paths`, same order). A list that is present but not an array is a
 * problem, never "no containers".
 */
export function containersIn(lists: Json[], paths: string[]): PodContainers {
  const out = new PodContainers();
  for (let l = 0; l < lists.length && l < ROLES.length; l++) {
    const list = lists[l];
    if (list.exists && !list.isArray) {
      out.problems.push(paths[l] + " is not a list (got " + list.typeName + ")");
      continue;
    }
    const items = list.fieldsOfElements(CONTAINER_KEYS);
    for (let i = 0; i < items.length; i++) {
      const f = items[i];
      out.containers.push(new ContainerRef(ROLES[l], f[0].stringOr(""), f[1].stringOr(""), f[1].typeName));
    }
  }
  return out;
}
