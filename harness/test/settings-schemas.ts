// The settings schema of every policy, described once (issue 21): which keys
// each settings object has, each value's type, its valid values and its
// range. harness/test/settings-schema.test.ts generates valid settings and
// single mutations (wrong type, unknown key, out of range) from these
// descriptions with fast-check, and checks them against the policy itself
// (the guest's "unknown key (expected one of: …)" lists, so a key added to a
// policy and not here fails) and its README (every key documented).
import { AML_RISKS, ASSURANCE_LEVELS, LIVENESS_METHODS, SIGNAL_KINDS, SIGNAL_STATUSES } from "../dist/signals/vocabulary.js";

export type SettingSchema =
  | { type: "boolean" }
  /** A non-empty string, valid when one of `valid`; each of `invalid` is refused (out of range or badly formed). */
  | { type: "string"; valid: readonly string[]; invalid?: readonly string[] }
  | { type: "integer"; min: number; max: number }
  /** A list of strings drawn from `valid`; `invalid` items are refused. */
  | { type: "list"; valid: readonly string[]; invalid?: readonly string[]; minItems?: number }
  | ObjectSchema
  /** An object used as a map: keys from `keys` (any keys are allowed unless `closed`), each value of schema `value`. */
  | { type: "map"; keys: readonly string[]; value: SettingSchema; minKeys?: number; closed?: boolean; invalidKeys?: readonly string[] }
  /** A list of objects; `unique` names a string member that must differ between items (a suffix is added). */
  | { type: "objects"; item: ObjectSchema; minItems?: number; unique?: string };

export interface ObjectSchema {
  type: "object";
  members: Record<string, SettingSchema>;
  required?: readonly string[];
  /** At least one of these members is present (the first is added when none is). */
  atLeastOne?: readonly string[];
  /** Members that cannot appear together (the later ones are dropped). */
  exclusive?: readonly (readonly string[])[];
  /** Other cross-member rules, applied to a generated value to make it valid. */
  repair?: (value: Record<string, unknown>) => void;
  /**
   * The policy reports problems inside this object at the object's own path
   * (a signal record: `subjects["alice"].liveness: status 7 is not …`), and
   * refuses unknown keys there too.
   */
  reportsAtObject?: boolean;
}

const TIMES = ["2026-11-20T00:00:00Z", "2026-11-01T09:30:00.5+02:00", "2026-06-30T23:59:60Z"];
const BAD_TIMES = ["2026-02-30T00:00:00Z", "yesterday", "2026-11-20"];
const signalRecord: ObjectSchema = {
  type: "object",
  reportsAtObject: true,
  members: {
    status: { type: "string", valid: SIGNAL_STATUSES, invalid: ["verified"] },
    verifiedAt: { type: "string", valid: TIMES, invalid: BAD_TIMES },
    expiresAt: { type: "string", valid: ["2027-01-01T00:00:00Z"], invalid: BAD_TIMES },
    score: { type: "integer", min: 0, max: 100 },
    risk: { type: "string", valid: AML_RISKS, invalid: ["severe"] },
    method: { type: "string", valid: LIVENESS_METHODS, invalid: ["video"] },
  },
  required: ["status", "verifiedAt"],
};
/** `subjects`: user → signal kind → record (the kinds are a closed set). */
const subjects: SettingSchema = {
  type: "map",
  keys: ["alice@example.com", "bob", "system:serviceaccount:ci:deployer"],
  value: { type: "map", keys: SIGNAL_KINDS, value: signalRecord, closed: true, invalidKeys: ["retina"] },
};
const claims: ObjectSchema = { type: "object", members: { prefix: { type: "string", valid: ["idgov.dev/", "example.com/id-"], invalid: ["Idgov.dev/", "a*b"] } }, required: ["prefix"] };
const cluster: ObjectSchema = { type: "object", members: { namespace: { type: "string", valid: ["idgov-system", "identity"], invalid: ["Not_A_Namespace"] }, disableCache: { type: "boolean" } } };
const exempt: ObjectSchema = { type: "object", members: { users: { type: "list", valid: ["system:*", "admin@example.com"], minItems: 1 }, groups: { type: "list", valid: ["system:masters", "ops-*"], minItems: 1 } } };
const SIGNALS = SIGNAL_KINDS.filter((k) => k !== "aml");
/** The `require` block every identity policy shares (assembly/identity/settings.ts). */
const requirements: ObjectSchema = {
  type: "object",
  members: {
    assurance: { type: "string", valid: Object.keys(ASSURANCE_LEVELS), invalid: ["IAL9"] },
    signals: { type: "list", valid: SIGNALS, invalid: ["retina"], minItems: 1 },
    maxAge: { type: "string", valid: ["30d", "12h", "90d"], invalid: ["30x", "1.5d"] },
    minScore: { type: "map", keys: SIGNALS, value: { type: "integer", min: 0, max: 100 }, closed: true, minKeys: 1, invalidKeys: ["aml", "retina"] },
    maxAmlRisk: { type: "string", valid: AML_RISKS, invalid: ["severe"] },
    denyAmlRiskAbove: { type: "string", valid: AML_RISKS.slice(0, -1), invalid: ["severe", AML_RISKS[AML_RISKS.length - 1]] },
    warnBefore: { type: "string", valid: ["1d", "6h"], invalid: ["soon"] },
  },
  atLeastOne: ["signals", "assurance", "minScore", "maxAmlRisk", "denyAmlRiskAbove"],
  exclusive: [["maxAmlRisk", "denyAmlRiskAbove"]],
  // warnBefore must be shorter than maxAge: 12h leaves room for 6h only.
  repair: (v) => { if (v.maxAge === "12h" && v.warnBefore === "1d") v.warnBefore = "6h"; },
};
const namespaces = ["prod", "prod-*", "kube-system"];
const badNamespaces = ["Prod", "prod_1"];

export const SETTINGS_SCHEMAS: Record<string, ObjectSchema> = {
  "identity-assurance": {
    type: "object",
    members: {
      rules: {
        type: "objects",
        minItems: 1,
        unique: "name",
        item: {
          type: "object",
          members: {
            name: { type: "string", valid: ["exec", "secrets.write", "Scale_Prod"], invalid: ["has space", "a*"] },
            match: {
              type: "object",
              members: {
                operations: { type: "list", valid: ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"], invalid: ["create", "PATCH"], minItems: 1 },
                resources: { type: "list", valid: ["pods/exec", "secrets", "deployments/scale", "*"], invalid: ["/pods", "a/b/c", "Pods"], minItems: 1 },
                namespaces: { type: "list", valid: namespaces, invalid: badNamespaces, minItems: 1 },
              },
            },
            require: requirements,
          },
          required: ["name", "require"],
        },
      },
      exempt,
      subjects,
      claims,
      cluster,
    },
    required: ["rules"],
  },
  "rbac-governance": {
    type: "object",
    members: {
      allowedRoles: { type: "list", valid: ["view", "system:*"] },
      allowedBindings: { type: "list", valid: ["ci-*", "system:controller:*"] },
      deniedRoleRefs: { type: "list", valid: ["cluster-admin", "admin"] },
      broadGroups: { type: "list", valid: ["system:authenticated", "system:unauthenticated"] },
      denyCrossNamespaceServiceAccounts: { type: "boolean" },
      privilegedRoles: { type: "list", valid: ["admin", "edit"] },
      require: requirements,
      exempt,
      checkRequesterPermissions: { type: "boolean" },
      subjects,
      claims,
      cluster,
    },
  },
  "trusted-registries": {
    type: "object",
    members: {
      allowedRegistries: { type: "list", valid: ["registry.example.com", "*.internal.example", "localhost:5000"], invalid: ["https://registry.example.com", "Registry.example.com", "reg*.example.com"], minItems: 1 },
      requiredLabels: { type: "list", valid: ["team", "app.kubernetes.io/owner"], invalid: ["-team", "a/b/c"] },
    },
    required: ["allowedRegistries"],
  },
  "workload-identity": {
    type: "object",
    members: {
      mutate: { type: "boolean" },
      automountServiceAccountToken: { type: "object", members: { deny: { type: "boolean" }, optInAnnotation: { type: "string", valid: ["idgov.dev/automount", "automount"], invalid: ["-bad", "a/b/c"] } } },
      defaultServiceAccount: { type: "object", members: { deny: { type: "boolean" }, namespaces: { type: "list", valid: namespaces, invalid: badNamespaces }, exemptNamespaces: { type: "list", valid: namespaces, invalid: badNamespaces } } },
      allowedServiceAccounts: { type: "map", keys: ["prod", "ci-*"], value: { type: "list", valid: ["deployer", "app-*"], invalid: ["Deployer"], minItems: 1 }, invalidKeys: ["Prod"] },
      projectedTokens: { type: "object", members: { allowedAudiences: { type: "list", valid: ["vault", "https://sts.example.com"] }, maxExpirationSeconds: { type: "integer", min: 600, max: 4294967296 } } },
      requiredLabels: { type: "list", valid: ["team", "app.kubernetes.io/owner"], invalid: ["-team"] },
      spiffe: { type: "object", members: { trustDomain: { type: "string", valid: ["example.org", "prod.example.com"], invalid: ["spiffe://example.org", "Example.org"] }, annotation: { type: "string", valid: ["idgov.dev/spiffe-id"], invalid: ["-bad"] } }, required: ["trustDomain"] },
      legacyTokenSecrets: { type: "object", members: { deny: { type: "boolean" }, exemptNamespaces: { type: "list", valid: namespaces, invalid: badNamespaces } } },
    },
    // mutate sets automountServiceAccountToken to false: it needs deny on.
    repair: (v) => {
      const automount = v.automountServiceAccountToken as { deny?: boolean } | undefined;
      if (v.mutate === true && automount?.deny === false) automount.deny = true;
    },
  },
  "authzen-todo": {
    type: "object",
    members: {
      users: {
        type: "map",
        keys: ["CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs", "rick", "morty@example.com"],
        value: { type: "object", members: { email: { type: "string", valid: ["rick@the-citadel.com", "morty@the-citadel.com"] }, roles: { type: "list", valid: ["admin", "editor", "viewer", "evil_genius"], invalid: ["root"] } }, required: ["email", "roles"] },
      },
    },
    required: ["users"],
  },
};

/** Every object schema in a schema, with its path in a generic form (`rules[].require`), for the drift checks. */
export function objectSchemas(schema: SettingSchema, path = ""): { path: string; schema: ObjectSchema }[] {
  switch (schema.type) {
    case "object": return [{ path, schema }, ...Object.entries(schema.members).flatMap(([k, s]) => objectSchemas(s, path ? `${path}.${k}` : k))];
    case "objects": return objectSchemas(schema.item, `${path}[]`);
    case "map": return objectSchemas(schema.value, `${path}.*`);
    default: return [];
  }
}
