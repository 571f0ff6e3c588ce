// Where the pod spec lives in the objects that create Pods, and the containers in it.
import { Json } from "../json/view";
import { AdmissionRequest } from "../protocol/request";

/** Kinds whose pod template sits at spec.template.spec. */
const TEMPLATE_KINDS: string[] = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"];

/**
 * The pod spec of the admitted object: Pod → spec, workloads → spec.template.spec,
 * CronJob → spec.jobTemplate.spec.template.spec. Missing for other kinds.
 */
export function podSpecOf(request: AdmissionRequest): Json {
  return podSpecIn(request.kind.name, request.object.field("spec"));
}

/** podSpecOf from the object's `spec` (for policies that read `spec` together with other fields). */
export function podSpecIn(kind: string, spec: Json): Json {
  if (kind == "Pod") return spec;
  if (TEMPLATE_KINDS.includes(kind)) return spec.field("template").field("spec");
  if (kind == "CronJob") return spec.field("jobTemplate").field("spec").field("template").field("spec");
  return Json.missing();
}

/** Does this kind carry a pod spec (whether or not this object has one)? */
export function createsPods(kind: string): bool {
  return kind == "Pod" || kind == "CronJob" || TEMPLATE_KINDS.includes(kind);
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

/** Every container of a pod spec, init and ephemeral ones included. */
export function containersOf(podSpec: Json): ContainerRef[] {
  const out = new Array<ContainerRef>();
  const lists = podSpec.fields(CONTAINER_LISTS);
  for (let l = 0; l < lists.length; l++) {
    const items = lists[l].fieldsOfElements(CONTAINER_KEYS);
    for (let i = 0; i < items.length; i++) {
      const f = items[i];
      out.push(new ContainerRef(ROLES[l], f[0].stringOr(""), f[1].stringOr("")));
    }
  }
  return out;
}
