// artifacthub-pkg.yml from a policy's metadata.yml, with kwctl's mapping
// (`kwctl scaffold artifacthub`, kubewarden-protocol.md §7): the annotations
// in metadata.yml are the single source; the file is regenerated, never edited.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { IdgovError } from "../errors.js";
import { parseYaml } from "../yaml.js";

const A = {
  title: "io.kubewarden.policy.title",
  version: "io.kubewarden.policy.version",
  description: "io.kubewarden.policy.description",
  author: "io.kubewarden.policy.author",
  url: "io.kubewarden.policy.url",
  ociUrl: "io.kubewarden.policy.ociUrl",
  source: "io.kubewarden.policy.source",
  license: "io.kubewarden.policy.license",
  displayName: "io.artifacthub.displayName",
  keywords: "io.artifacthub.keywords",
  resources: "io.artifacthub.resources",
  hiddenUi: "io.kubewarden.hidden-ui",
  releaseTag: "com.github.release.tag",
} as const;

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export interface ArtifactHubOptions {
  /** RFC 3339 creation time (default: now). */
  createdAt?: string;
  /** Rancher questions UI (questions-ui.yml content), if any. */
  questions?: string;
}

/** Collects every problem with the metadata, so one run reports them all. */
class MetadataProblems {
  readonly list: string[] = [];
  add(problem: string): void { this.list.push(problem); }
  required(annotations: Record<string, string>, key: string): string {
    const v = annotations[key];
    if (typeof v !== "string" || v.trim() === "") {
      this.add(`annotation ${key} is required`);
      return "";
    }
    return v;
  }

  url(annotations: Record<string, string>, key: string): string | undefined {
    const v = annotations[key];
    if (v === undefined) return undefined;
    try { return new URL(v).toString().replace(/\/$/, ""); } catch { this.add(`annotation ${key} is not a URL: ${JSON.stringify(v)}`); return undefined; }
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    throw new IdgovError(`metadata.yml cannot build artifacthub-pkg.yml (${this.list.length} problem${this.list.length > 1 ? "s" : ""}): ${this.list.join("; ")}`);
  }
}

/** `Name <email>, Other <other@x>` → maintainers. */
export function parseMaintainers(author: string, problems?: MetadataProblems): { name: string; email: string }[] {
  const maintainers: { name: string; email: string }[] = [];
  for (const entry of author.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.*?)\s*<([^<>\s@]+@[^<>\s@]+)>$/.exec(entry);
    const problem = `${A.author} must be a list of "Name <email>", got ${JSON.stringify(entry)}`;
    if (!m) {
      if (!problems) throw new IdgovError(`metadata.yml: ${problem}`);
      problems.add(problem);
    } else maintainers.push({ name: m[1], email: m[2] });
  }
  return maintainers;
}

/** The artifacthub-pkg.yml document for `metadata` (a parsed metadata.yml); every problem is reported at once. */
export function artifactHubPackage(metadata: Record<string, unknown>, options: ArtifactHubOptions = {}): Record<string, unknown> {
  const raw = metadata.annotations;
  if (raw !== undefined && (raw === null || typeof raw !== "object" || Array.isArray(raw))) throw new IdgovError("metadata.yml: `annotations` must be a mapping of strings");
  const annotations = (raw ?? {}) as Record<string, string>;
  const problems = new MetadataProblems();
  if (Object.keys(annotations).length === 0) problems.add("it has no annotations (artifacthub-pkg.yml is built from them)");
  for (const [key, value] of Object.entries(annotations)) if (typeof value !== "string") problems.add(`annotation ${key} must be a string, got ${JSON.stringify(value)}`);
  const version = problems.required(annotations, A.version);
  if (version !== "" && !SEMVER.test(version)) problems.add(`${A.version} must be a semver version, got ${JSON.stringify(version)}`);
  const ociUrl = problems.required(annotations, A.ociUrl);
  const image = `${ociUrl}:v${version}`;
  if (options.createdAt !== undefined && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(options.createdAt)) {
    problems.add(`createdAt must be an RFC 3339 time such as 2026-11-25T12:00:00Z, got ${JSON.stringify(options.createdAt)}`);
  }
  const pkg: Record<string, unknown> = {
    version,
    name: problems.required(annotations, A.title),
    displayName: problems.required(annotations, A.displayName),
    createdAt: options.createdAt ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    description: problems.required(annotations, A.description),
  };
  if (annotations[A.license]) pkg.license = annotations[A.license];
  const home = problems.url(annotations, A.url);
  if (home) pkg.homeURL = home;
  pkg.containersImages = [{ name: "policy", image }];
  if (typeof annotations[A.keywords] === "string") {
    const keywords = annotations[A.keywords].split(",").map((k) => k.trim());
    if (keywords.some((k) => k === "")) problems.add(`${A.keywords} must be comma-separated keywords`);
    pkg.keywords = keywords;
  }
  const source = problems.url(annotations, A.source);
  if (source) {
    const links: { name: string; url: string }[] = [];
    if (new URL(source).host === "github.com") {
      const tag = annotations[A.releaseTag] ?? `v${version}`;
      links.push({ name: "policy", url: `${source}/releases/download/${tag}/policy.wasm` });
    }
    links.push({ name: "source", url: source });
    pkg.links = links;
  }
  pkg.install
    = "The policy can be obtained using [`kwctl`](https://github.com/kubewarden/kubewarden-controller):\n"
      + "```console\n" + `kwctl pull ${image}\n` + "```\n"
      + "Then, generate the policy manifest and tune it to your liking. For example:\n"
      + "```console\n" + `kwctl scaffold manifest -t ClusterAdmissionPolicy registry://${image}\n` + "```\n";
  if (typeof annotations[A.author] === "string" && annotations[A.author]) pkg.maintainers = parseMaintainers(annotations[A.author], problems);
  pkg.provider = { name: "kubewarden" };
  pkg.recommendations = [{ url: "https://artifacthub.io/packages/helm/kubewarden/kubewarden-controller" }];
  const out: Record<string, string> = {
    "kubewarden/mutation": String(metadata.mutating === true),
    "kubewarden/rules": YAML.stringify(metadata.rules ?? []),
  };
  const contextAware = metadata.contextAwareResources as unknown[] | undefined;
  if (Array.isArray(contextAware) && contextAware.length > 0) out["kubewarden/contextAwareResources"] = YAML.stringify(contextAware);
  if (options.questions !== undefined) {
    if (options.questions.trim() === "") problems.add("questions-ui content cannot be empty");
    out["kubewarden/questions-ui"] = options.questions;
  }
  if (annotations[A.hiddenUi] !== undefined) {
    if (!["true", "false"].includes(annotations[A.hiddenUi])) problems.add(`${A.hiddenUi} must be "true" or "false"`);
    out["kubewarden/hidden-ui"] = annotations[A.hiddenUi];
  }
  if (annotations[A.resources]) out["kubewarden/resources"] = annotations[A.resources];
  pkg.annotations = out;
  problems.throwIfAny();
  return pkg;
}

/** artifacthub-pkg.yml text for a policy folder (metadata.yml, optional questions-ui.yml). */
export function artifactHubPackageYaml(policyDir: string, options: ArtifactHubOptions = {}): string {
  const metadataFile = join(policyDir, "metadata.yml");
  if (!existsSync(metadataFile)) throw new IdgovError(`${metadataFile} not found: give a policy folder`);
  const metadata = parseYaml(readFileSync(metadataFile, "utf8"), { uniqueKeys: true }) as Record<string, unknown>;
  const questionsFile = join(policyDir, "questions-ui.yml");
  const questions = options.questions ?? (existsSync(questionsFile) ? readFileSync(questionsFile, "utf8") : undefined);
  const header = "# Generated by `idgov scaffold artifacthub` from metadata.yml (kwctl's mapping). Do not edit: change metadata.yml and regenerate.\n";
  return header + YAML.stringify(artifactHubPackage(metadata, { ...options, questions }), { lineWidth: 0 });
}

export const ARTIFACTHUB_FILE = "artifacthub-pkg.yml";

/**
 * Whether a policy folder's committed artifacthub-pkg.yml is what its metadata.yml generates
 * (same createdAt). Undefined when it is, or when the folder has none yet: the file is needed
 * to publish, not to build or test, and `idgov new` / `idgov scaffold artifacthub` write it.
 * Otherwise a one-line message saying how to regenerate it.
 */
export function artifactHubDrift(policyDir: string): string | undefined {
  const file = join(policyDir, ARTIFACTHUB_FILE);
  if (!existsSync(file)) return undefined;
  const committed = readFileSync(file, "utf8");
  let createdAt: string | undefined;
  try {
    const parsed = YAML.parse(committed) as { createdAt?: unknown } | null;
    if (parsed?.createdAt !== undefined) createdAt = String(parsed.createdAt);
  } catch {
    createdAt = undefined;
  }
  if (committed === artifactHubPackageYaml(policyDir, createdAt !== undefined ? { createdAt } : {})) return undefined;
  return `${file} is not what metadata.yml generates: run \`npx idgov scaffold artifacthub ${policyDir} -o ${file}\``;
}
