// The service-account facts of a pod spec: which account it runs as, whether
// the API token is mounted, and the service-account tokens projected into
// volumes. Read from `select` results, so a policy walks the object once.
import { Json } from "../json/view";
import { quote } from "../json/writer";

/** Where the pod spec's service-account fields sit below the object, for `select` (same order as PodIdentity reads them). */
export function podIdentityPaths(specPath: string): string[] {
  return [specPath, specPath + ".serviceAccountName", specPath + ".serviceAccount", specPath + ".automountServiceAccountToken", specPath + ".volumes"];
}

/** The volume the ServiceAccount admission plugin adds for the automounted token (`kube-api-access-<suffix>`). */
export const AUTOMOUNT_VOLUME_PREFIX = "kube-api-access-";

/** Kubernetes' default `expirationSeconds` of a projected service-account token. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS: i64 = 3600;

export class ProjectedToken {
  constructor(
    public volume: string,
    /** "" when absent: the token is for the API server itself. */
    public audience: string,
    /** DEFAULT_TOKEN_EXPIRATION_SECONDS when absent. */
    public expirationSeconds: i64,
  ) {}
}

export const AUTOMOUNT_UNSET: i32 = 0;
export const AUTOMOUNT_TRUE: i32 = 1;
export const AUTOMOUNT_FALSE: i32 = 2;

export class PodIdentity {
  /** Whether the pod spec is an object at all. */
  hasSpec: bool = false;
  /** The account the Pods run as: serviceAccountName, else the deprecated serviceAccount, else "default". */
  serviceAccount: string = "default";
  /** AUTOMOUNT_UNSET, _TRUE or _FALSE. */
  automount: i32 = AUTOMOUNT_UNSET;
  /** Projected service-account tokens, the automount volume excluded. */
  tokens: ProjectedToken[] = [];
  /** Fields of the wrong type (fail closed on them), e.g. `spec.volumes is not a list (got object)`. */
  problems: string[] = [];
}

function wrongType(out: PodIdentity, path: string, value: Json, expected: string): void {
  out.problems.push(path + " is not " + expected + " (got " + value.typeName + ")");
}

/** The facts from `select(object, podIdentityPaths(specPath))`. */
export function podIdentityIn(found: Json[], specPath: string): PodIdentity {
  const out = new PodIdentity();
  out.hasSpec = found[0].isObject;
  const name = found[1].exists ? found[1] : found[2];
  if (name.exists) {
    const text = name.asString();
    if (text === null) wrongType(out, specPath + (found[1].exists ? ".serviceAccountName" : ".serviceAccount"), name, "a string");
    else if (text.length > 0) out.serviceAccount = text;
  }
  const automount = found[3];
  if (automount.exists) {
    if (automount.typeName != "boolean") wrongType(out, specPath + ".automountServiceAccountToken", automount, "a boolean");
    else out.automount = automount.asBool(true) ? AUTOMOUNT_TRUE : AUTOMOUNT_FALSE;
  }
  const volumes = found[4];
  if (volumes.exists && !volumes.isArray) { wrongType(out, specPath + ".volumes", volumes, "a list"); return out; }
  const items = volumes.fieldsOfElements(["name", "projected"]);
  for (let i = 0; i < items.length; i++) {
    const volume = items[i][0].stringOr("");
    const projected = items[i][1];
    if (!projected.exists || volume.startsWith(AUTOMOUNT_VOLUME_PREFIX)) continue;
    const sources = projected.field("sources");
    if (sources.exists && !sources.isArray) { wrongType(out, "volume " + quote(volume) + " projected.sources", sources, "a list"); continue; }
    const tokens = sources.fieldsOfElements(["serviceAccountToken"]);
    for (let s = 0; s < tokens.length; s++) {
      const token = tokens[s][0];
      if (!token.exists) continue;
      const fields = token.fields(["audience", "expirationSeconds"]);
      let audience = "";
      if (fields[0].exists) {
        const text = fields[0].asString();
        if (text === null) { wrongType(out, "volume " + quote(volume) + " serviceAccountToken.audience", fields[0], "a string"); continue; }
        audience = text;
      }
      let expiration = DEFAULT_TOKEN_EXPIRATION_SECONDS;
      if (fields[1].exists) {
        const seconds = fields[1].parse();
        if (!seconds.isInteger) { wrongType(out, "volume " + quote(volume) + " serviceAccountToken.expirationSeconds", fields[1], "an integer"); continue; }
        expiration = <i64>seconds.numberValue;
      }
      out.tokens.push(new ProjectedToken(volume, audience, expiration));
    }
  }
  return out;
}
