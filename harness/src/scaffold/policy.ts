// `idgov new <name>`: a policy folder that builds and passes `make test` as written, laid
// out as README's "Writing a policy" describes: policy.ts (entry), rules.ts (pure decision),
// settings.ts (every problem at once), metadata.yml, README.md, one fixture, one end-to-end
// test of the built module, and the generated artifacthub-pkg.yml. The example rule is small
// on purpose (refuse Pods in listed namespaces): replace it with yours.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { IdgovError } from "../errors.js";
import { ARTIFACTHUB_FILE, artifactHubPackageYaml } from "./artifacthub.js";

export interface NewPolicyOptions {
  /** One-line description (io.kubewarden.policy.description). */
  description?: string;
  /** Maintainers, `Name <email>[, …]` (io.kubewarden.policy.author). */
  author?: string;
  /** OCI repository the policy is pushed to, without tag (io.kubewarden.policy.ociUrl). */
  ociUrl?: string;
  /** createdAt of artifacthub-pkg.yml (default now). */
  createdAt?: string;
}

/** Policy names are Kubernetes-style names: they become folder, OCI repository and audit names. */
const NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function policyNameProblem(name: string): string | undefined {
  if (NAME.test(name)) return undefined;
  return `policy name ${JSON.stringify(name)} must be lowercase letters, digits and '-', start with a letter, end with a letter or digit, at most 63 characters (e.g. "namespace-guard")`;
}

const titleCase = (name: string) => name.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");

/** The files of a new policy, by path relative to its folder (artifacthub-pkg.yml aside: it is generated from metadata.yml). */
export function policyTemplate(name: string, options: NewPolicyOptions = {}): Record<string, string> {
  const problem = policyNameProblem(name);
  if (problem) throw new IdgovError(problem);
  const description = options.description ?? "Pods may not be created in the namespaces listed in forbiddenNamespaces";
  if (/[\r\n]/.test(description)) throw new IdgovError("--description must be one line");
  const author = options.author ?? "Policy Authors <policy-authors@example.com>";
  const ociUrl = options.ociUrl ?? `ghcr.io/example/policies/${name}`;
  const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar
  return {
    "policy.ts": `// ${name}: ${description}.
// Entry: decide (rules.ts) → respond. The build generates the waPC, WASI and component
// entry points around SETTINGS and validate: they answer validate_settings with SETTINGS
// and reject settings that do not validate (500) before validate runs.
import { ValidationRequest, ValidationResponse, SettingsSchema, accept, rejectWithCode } from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { violation } from "./rules";

const POLICY = "${name}";
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const reason = violation(vr.request.namespace, settings);
  return reason === null ? accept() : rejectWithCode(POLICY + ": " + reason, 403);
}
`,
    "rules.ts": `// The decision of ${name}: plain functions of request facts and settings, no ABI,
// so they are easy to read and to test.
import { Settings } from "./settings";

/** Why a request in \`namespace\` is refused, or null to accept it. */
export function violation(namespace: string, settings: Settings): string | null {
  if (settings.forbiddenNamespaces.includes(namespace)) return "namespace \\"" + namespace + "\\" is listed in forbiddenNamespaces";
  return null;
}
`,
    "settings.ts": `// Settings of ${name}: parsed and validated together, every problem reported at
// once with its path (malformed settings become a message, never a trap).
import { JsonValue, SettingsProblems, ParsedSettings } from "../../assembly/sdk";

export class Settings {
  forbiddenNamespaces: string[] = [];
}

const KEYS: string[] = ["forbiddenNamespaces"];

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const problems = new SettingsProblems();
  const settings = new Settings();
  if (!problems.object(value, "", KEYS)) return new ParsedSettings<Settings>(settings, problems); // unknown keys are errors
  const namespaces = value.get("forbiddenNamespaces");
  if (namespaces !== null) settings.forbiddenNamespaces = problems.stringList(namespaces, "forbiddenNamespaces", true);
  return new ParsedSettings<Settings>(settings, problems);
}
`,
    "metadata.yml": `# Kubewarden policy metadata (idgov annotate / kwctl annotate -m metadata.yml -u README.md).
# artifacthub-pkg.yml is generated from it: after a change run
#   npx idgov scaffold artifacthub policies/${name} -o policies/${name}/${ARTIFACTHUB_FILE}
rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
    operations: ["CREATE"]
mutating: false
backgroundAudit: true
executionMode: kubewarden-wapc
annotations:
  io.kubewarden.policy.title: ${name}
  io.kubewarden.policy.version: 0.1.0
  io.kubewarden.policy.description: ${yamlString(description)}
  io.kubewarden.policy.author: ${yamlString(author)}
  io.kubewarden.policy.ociUrl: ${ociUrl}
  io.kubewarden.policy.license: Apache-2.0
  io.kubewarden.policy.severity: medium
  io.kubewarden.policy.category: Resource placement
  io.artifacthub.displayName: ${yamlString(titleCase(name))}
  io.artifacthub.resources: Pod
  io.artifacthub.keywords: pod, namespace
`,
    "README.md": `# ${name}

${description}.

## Settings

\`\`\`yaml
forbiddenNamespaces: [forbidden]   # Pods may not be created in these namespaces (default: none)
\`\`\`

Unknown keys and wrong types are refused by \`validate_settings\`, all problems at once.

## Try it

\`\`\`console
make build
npx idgov run policies/${name} --request policies/${name}/test_data/pod-in-forbidden-namespace.json --settings-json '{"forbiddenNamespaces":["forbidden"]}'
npx vitest run policies/${name}
\`\`\`
`,
    "test_data/pod-in-forbidden-namespace.json": `${JSON.stringify({
      uid: "5c3a7f2e-0d1b-4c6a-9e8f-1a2b3c4d5e6f",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      requestKind: { group: "", version: "v1", kind: "Pod" },
      requestResource: { group: "", version: "v1", resource: "pods" },
      name: "web",
      namespace: "forbidden",
      operation: "CREATE",
      userInfo: { username: "alice@example.com", groups: ["system:authenticated"] },
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web", namespace: "forbidden" },
        spec: { containers: [{ name: "web", image: "registry.example.com/web:1.0" }] },
      },
      dryRun: false,
    }, null, 2)}\n`,
    "tests/e2e.test.ts": `// End-to-end: the BUILT ${name} module (make build) run through the idgov harness,
// as policy-server would run it, on the fixture in test_data/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadPolicy, type Policy } from "idgov";

const dir = resolve(import.meta.dirname, "..");
const request = JSON.parse(readFileSync(join(dir, "test_data/pod-in-forbidden-namespace.json"), "utf8"));
const settings = { forbiddenNamespaces: ["forbidden"] };

let policy: Policy;
beforeAll(async () => { policy = await loadPolicy(dir); });
afterAll(async () => { await policy?.close(); });

describe("${name}", () => {
  it("accepts valid settings and reports every problem of invalid ones", async () => {
    expect((await policy.validateSettings(settings)).valid).toBe(true);
    const bad = await policy.validateSettings({ forbiddenNamespaces: [3], other: true });
    expect(bad.valid).toBe(false);
    expect(bad.message).toContain("other: unknown key");
    expect(bad.message).toContain("forbiddenNamespaces[0]");
  });

  it("rejects a Pod in a forbidden namespace, saying why", async () => {
    const { response } = await policy.validate(request, settings);
    expect(response).toMatchObject({
      allowed: false,
      status: { code: 403, message: '${name}: namespace "forbidden" is listed in forbiddenNamespaces' },
    });
  });

  it("accepts the same Pod in another namespace", async () => {
    const { response } = await policy.validate({ ...request, namespace: "default" }, settings);
    expect(response.allowed).toBe(true);
  });

  it("never decides on settings that do not validate (the SDK's entry rejects them, 500)", async () => {
    const { response } = await policy.validate(request, { forbiddenNamespaces: "forbidden" });
    expect(response).toMatchObject({ allowed: false, status: { code: 500 } });
    expect(response.status?.message).toMatch(/^${name}: invalid settings: forbiddenNamespaces: /);
  });
});
`,
  };
}

/** Writes a new policy folder `<policiesDir>/<name>`; returns the files written (relative to policiesDir's parent). */
export function writeNewPolicy(policiesDir: string, name: string, options: NewPolicyOptions = {}): string[] {
  const files = policyTemplate(name, options);
  const dir = join(policiesDir, name);
  if (existsSync(dir)) throw new IdgovError(`${dir} already exists: choose another name or remove it`);
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, text, { flag: "wx" });
    written.push(path);
  }
  const pkg = join(dir, ARTIFACTHUB_FILE);
  writeFileSync(pkg, artifactHubPackageYaml(dir, options.createdAt !== undefined ? { createdAt: options.createdAt } : {}), { flag: "wx" });
  written.push(pkg);
  return written.map((f) => relative(join(policiesDir, ".."), f));
}
