// Where the pod spec lives in the objects that create Pods, and the containers in it.
import { Json } from "../json/view";
import { AdmissionRequest } from "../protocol/request";
import { select } from "../json/select";

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

/** Does this kind carry a pod spec (whether or not this object has one)? */
export function createsPods(kind: string): bool {
  return podSpecPath(kind).length > 0;
}

/** The pod spec of the admitted object (Missing for kinds that create no Pods). */
export function podSpecOf(request: AdmissionRequest): Json {
  const path = podSpecPath(request.kind.name);
  return path.length > 0 ? select(request.object, [path])[0] : Json.missing();
}

export class ContainerRef {
  constructor(
    /** "container", "init container" or "ephemeral container". */
    public role: string,
    public name: string,
    /** The raw `image` value ("" when absent or not a string). */
    public image: string,
  ) {}
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

/** The containers of the three lists, in containerListPaths order. */
export function containersIn(lists: Json[]): ContainerRef[] {
  const out = new Array<ContainerRef>();
  for (let l = 0; l < lists.length && l < ROLES.length; l++) {
    const items = lists[l].fieldsOfElements(CONTAINER_KEYS);
    for (let i = 0; i < items.length; i++) {
      const f = items[i];
      out.push(new ContainerRef(ROLES[l], f[0].stringOr(""), f[1].stringOr("")));
    }
  }
  return out;
}

/** Every container of a pod spec, init and ephemeral ones included. */
export function containersOf(podSpec: Json): ContainerRef[] {
  return containersIn(podSpec.fields(CONTAINER_LISTS));
}
