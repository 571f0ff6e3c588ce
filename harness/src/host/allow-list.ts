// Host-capability allow-list, as policy-evaluator's HostCapabilities: `*` (everything),
// `ns/*`, `ns/v1/*` (prefixes) or an exact capability path; an empty list denies all.
// Patterns are validated against the capability tree, with Kubewarden's error texts.
import { IdgovError } from "../errors.js";

type Tree = { [segment: string]: Tree | null };

/** Every capability path Kubewarden knows (`tracing/log` is never gated and is not listed). */
export const CAPABILITY_TREE: Tree = {
  oci: {
    v1: { verify: null, manifest_digest: null, oci_manifest: null, oci_manifest_config: null },
    v2: { verify: null },
  },
  net: { v1: { dns_lookup_host: null } },
  crypto: { v1: { is_certificate_trusted: null } },
  kubernetes: { list_resources_by_namespace: null, list_resources_all: null, get_resource: null, can_i: null },
};

const debugStr = (s: string) => JSON.stringify(s);

function validateAgainstTree(pattern: string): void {
  const parts = pattern.split("/");
  let node: Tree = CAPABILITY_TREE;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === "*") return;
    if (!(part in node)) {
      const valid = Object.keys(node).sort().join(", ");
      throw new Error(`invalid pattern ${debugStr(pattern)}: unknown segment ${debugStr(part)}, valid options at this level are: ${valid}`);
    }
    const child: Tree | null = node[part];
    if (child === null) {
      if (i !== parts.length - 1) {
        throw new Error(`invalid pattern ${debugStr(pattern)}: unknown segment ${debugStr(parts[i + 1])}, valid options at this level are: `);
      }
      return;
    }
    if (i === parts.length - 1) {
      throw new Error(
        `invalid pattern ${debugStr(pattern)}: not a complete capability path; use ${debugStr(`${pattern}/*`)} to allow all capabilities under it`,
      );
    }
    node = child;
  }
}

export class HostCapabilityAllowList {
  private constructor(
    private readonly all: boolean,
    private readonly prefixes: Set<string>,
    private readonly exact: Set<string>,
  ) {}

  /** Parses patterns like `kwctl --allowed-host-capabilities`; throws IdgovError on a bad pattern. */
  static parse(patterns: readonly string[]): HostCapabilityAllowList {
    const prefixes = new Set<string>();
    const exact = new Set<string>();
    for (const pattern of patterns) {
      const trimmed = pattern.trim();
      try {
        if (trimmed === "") throw new Error("invalid pattern: pattern must not be empty");
        if (trimmed === "*") return new HostCapabilityAllowList(true, prefixes, exact);
        if (trimmed.includes("*") && !trimmed.endsWith("/*")) {
          throw new Error(
            `invalid pattern ${debugStr(pattern)}: wildcard '*' must be the entire last path segment (e.g. 'oci/*'), not a partial match`,
          );
        }
        validateAgainstTree(trimmed);
      } catch (e) {
        throw new IdgovError(`Invalid host capabilities pattern: ${(e as Error).message}`);
      }
      if (trimmed.endsWith("*")) prefixes.add(trimmed.slice(0, -1));
      else exact.add(trimmed);
    }
    return new HostCapabilityAllowList(false, prefixes, exact);
  }

  isAllowed(capabilityPath: string): boolean {
    if (this.all) return true;
    if (this.exact.has(capabilityPath)) return true;
    for (const p of this.prefixes) if (capabilityPath.startsWith(p)) return true;
    return false;
  }

  toString(): string {
    if (this.all) return "[*]";
    return `[${[...[...this.prefixes].map((p) => `${p}*`).sort(), ...[...this.exact].sort()].join(", ")}]`;
  }
}
