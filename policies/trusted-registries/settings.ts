// Settings of trusted-registries: parsed and validated together, every
// problem reported at once with its path.
import { JsonValue, SettingsProblems, ParsedSettings, indexPath, quote, isRegistryHost } from "../../assembly/sdk";

export class Settings {
  allowedRegistries: string[] = [];
  requiredLabels: string[] = [];
}

const KEYS: string[] = ["allowedRegistries", "requiredLabels"];

/** A registry host (`registry.example.com`, `localhost:5000`) or a `*.example.com` glob; lowercase as Kubernetes writes them. */
function registryProblem(entry: string): string | null {
  const host = entry.startsWith("*.") ? entry.substring(2) : entry;
  if (host.includes("*")) return "is not a registry host (a wildcard is only allowed as a leading \"*.\", e.g. \"*.example.com\")";
  if (!isRegistryHost(host) || host.toLowerCase() != host || host.startsWith("[")) {
    return "is not a registry host (lowercase host[:port], no scheme or path)";
  }
  return null;
}

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const problems = new SettingsProblems();
  const settings = new Settings();
  if (!problems.object(value, "", KEYS)) return new ParsedSettings<Settings>(settings, problems);
  const registries = value.get("allowedRegistries");
  if (registries === null) {
    problems.add("allowedRegistries", "is required: list the registry hosts images may come from, e.g. [\"registry.example.com\", \"*.internal.example\"]");
  } else {
    const items = problems.stringItems(registries, "allowedRegistries", false);
    for (let i = 0; i < items.length; i++) {
      const problem = registryProblem(items[i].value);
      if (problem !== null) problems.add(indexPath("allowedRegistries", items[i].index), quote(items[i].value) + " " + problem);
      else settings.allowedRegistries.push(items[i].value);
    }
  }
  const labels = value.get("requiredLabels");
  if (labels !== null) settings.requiredLabels = problems.labelKeyList(labels, "requiredLabels");
  return new ParsedSettings<Settings>(settings, problems);
}
