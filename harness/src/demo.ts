// `make demo`: the flagship policy deciding real fixture requests through the
// built modules, with the reasons a user would see.
import { readFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPolicy } from "./index.js";
import { parseYaml } from "./yaml.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const ALLOWED = paint("32;1", "ALLOWED");
const DENIED = paint("31;1", "DENIED ");

interface Step { fixture: string; note: string }

function wrap(text: string, indent: string, width = 100): string {
  const words = text.split(" ");
  const lines: string[] = [];
  let line = "";
  for (const w of words) {
    if (line.length + w.length + 1 > width - indent.length && line) { lines.push(line); line = w; } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => indent + l).join("\n");
}

interface ShowOptions { now?: string; hostCapabilitiesFixtures?: string; heading?: string }

/** The `idgov run` command, from the repo root, that gives the same answer as one demo line. */
export function reproduceCommand(policyName: string, settingsFile: string, fixture: string, options: ShowOptions = {}): string {
  const data = `policies/${policyName}/test_data`;
  return [
    "npx idgov run",
    `policies/${policyName}`,
    "--request",
    `${data}/${fixture}`,
    "--settings",
    `${data}/${settingsFile}`,
    ...(options.now ? ["--now", options.now] : []),
    ...(options.hostCapabilitiesFixtures ? ["--allow-context-aware", "--host-capabilities-fixtures", `${data}/${options.hostCapabilitiesFixtures}`] : []),
  ].join(" ");
}

async function show(policyName: string, settingsFile: string, steps: Step[], options: ShowOptions = {}): Promise<void> {
  const { now } = options;
  const dir = join(root, "policies", policyName);
  const settings = parseYaml(readFileSync(join(dir, "test_data", settingsFile), "utf8"));
  const policy = await loadPolicy(dir);
  try {
    console.log(paint("1", `\n${policyName}`) + ` — settings test_data/${settingsFile}` + (now ? `, clock fixed at ${now}` : ""));
    if (options.heading) console.log(paint("2", `  ${options.heading}`));
    const hostOptions = options.hostCapabilitiesFixtures
      ? { allowContextAware: true, hostCapabilities: join(dir, "test_data", options.hostCapabilitiesFixtures) }
      : {};
    for (const step of steps) {
      const request = JSON.parse(readFileSync(join(dir, "test_data", step.fixture), "utf8"));
      const req = request.kind === "AdmissionReview" ? request.request : request;
      const { response } = await policy.validate(request, settings, { ...(now ? { now } : {}), ...hostOptions });
      const who = req.userInfo?.username ?? "(no user)";
      const what = `${req.operation} ${req.resource.resource}${req.subResource ? "/" + req.subResource : ""}`
        + (req.namespace ? ` in ${req.namespace}` : "") + (req.name ? ` (${req.name})` : "");
      console.log(`\n  ${response.allowed ? ALLOWED : DENIED}  ${paint("1", who)}  ${what}`);
      console.log(paint("2", `           ${step.note} — test_data/${step.fixture}`));
      if (response.status?.message) console.log(wrap(response.status.message, "           "));
      if (response.patch) console.log(wrap(`JSON Patch: ${Buffer.from(response.patch, "base64").toString("utf8")}`, "           "));
      for (const w of response.warnings ?? []) console.log(wrap(`warning: ${w}`, "           "));
      const a = response.auditAnnotations;
      if (a) console.log(paint("2", `           audit: ${Object.entries(a).map(([k, v]) => `${k}=${v}`).join(" ")}`));
    }
    // One command per section (its first line); another line: change the --request fixture.
    console.log(paint("2", `\n  Reproduce from the repo root: ${reproduceCommand(policyName, settingsFile, steps[0].fixture, options)}`));
  } finally {
    await policy.close();
  }
}

await show("identity-assurance", "settings-recommended.yaml", [
  { fixture: "exec-prod-alice-verified-claims.json", note: "kubectl exec; OIDC claims show ID document, liveness, face match and AML verified on Nov 10" },
  { fixture: "exec-prod-bob-no-claims.json", note: "kubectl exec; bob's liveness was declined and his face match is in review" },
  { fixture: "attach-prod-carol.json", note: "kubectl attach; carol verified in September, more than 30 days ago" },
  { fixture: "exec-staging-bob.json", note: "kubectl exec into staging: no rule matches" },
  { fixture: "secret-update-prod-bob.json", note: "bob edits a production Secret" },
  { fixture: "deployment-scale-prod-alice.json", note: "alice scales a production Deployment to 0" },
  { fixture: "replicaset-create-prod-controller.json", note: "the deployment controller creates a ReplicaSet" },
  { fixture: "clusterrolebinding-create-dave.json", note: "dave binds himself to cluster-admin" },
], { now: "2026-11-25T12:00:00Z" });

await show("identity-assurance", "settings-cluster.yaml", [
  { fixture: "exec-prod-alice-verified-claims.json", note: "alice's ConfigMap holds signals imported from a Didit decision" },
  { fixture: "exec-prod-bob-no-claims.json", note: "bob's identity provider just rewrote his ConfigMap with a declined liveness" },
], { now: "2026-11-25T12:00:00Z", hostCapabilitiesFixtures: "host-capabilities-cluster.yaml", heading: "signals read from one ConfigMap per user (kubernetes/get_resource), answers from test_data/host-capabilities-cluster.yaml" });

await show("trusted-registries", "settings.yaml", [
  { fixture: "pod-trusted.json", note: "every image from registry.example.com or *.internal.example" },
  { fixture: "pod-untrusted-images.json", note: "Docker Hub, quay.io and localhost images, one label missing" },
  { fixture: "cronjob-untrusted.json", note: "a CronJob's job template" },
]);

await show("workload-identity", "settings-mutate.yaml", [
  { fixture: "deployment-automount-unset.json", note: "a Deployment that would mount the API token: mutate: true turns it off" },
  { fixture: "pod-default-sa.json", note: "a Pod running as the default service account" },
], { heading: "with mutate: true (the patch is what Kubewarden applies)" });

await show("rbac-governance", "settings.yaml", [
  { fixture: "rolebinding-edit.json", note: "alice (IAL2, verified Nov 10) grants dave edit in shop" },
  { fixture: "clusterrolebinding-cluster-admin.json", note: "alice binds dave to cluster-admin" },
], { now: "2026-11-25T12:00:00Z" });

console.log("\nEach section's command reproduces its first line; give another line's fixture to --request to reproduce that one.\n");
