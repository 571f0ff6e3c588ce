// The one way the harness reads YAML (settings, requests, fixtures, sessions,
// suites, manifests): aliases are bounded by what they PRODUCE, not only by
// how many there are. The yaml package's maxAliasCount stops a classic
// "billion laughs", but 99 aliases of a 80 KB anchor still expand to 8 MB of
// JSON; here the expanded size of the document is measured on the parsed tree
// (each anchored node measured once, so the check is linear in the document)
// and refused above a bound before anything is built from it.
import YAML, { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type ParseOptions, type DocumentOptions, type SchemaOptions } from "yaml";

/** At most this many aliases per document (the yaml package's default). */
export const MAX_ALIAS_COUNT = 100;
/** Aliases may make a document at most this many times larger than its text ... */
export const MAX_ALIAS_EXPANSION_FACTOR = 10;
/** ... or this size, whichever is larger (small files may share anchors freely). */
export const MIN_ALIAS_EXPANSION_BYTES = 1024 * 1024;

/** Thrown when a document's aliases expand beyond the bound; the message says the sizes and the limit. */
export class YamlExpansionError extends Error {}

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * Approximate JSON size of `node` with aliases expanded (scalars by their
 * text, 2 bytes per container, 1 per separator). Returns Infinity for an
 * alias cycle (not representable as JSON).
 */
function expandedSize(doc: Document, root: unknown): number {
  const sizes = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 4;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) return Infinity;
    inProgress.add(node);
    let total: number;
    if (isAlias(node)) total = size(node.resolve(doc));
    else if (isScalar(node)) total = String(node.value).length + 2;
    else if (isPair(node)) total = size(node.key) + size(node.value) + 1;
    else if (isMap(node) || isSeq(node)) {
      total = 2;
      for (const item of node.items as unknown[]) total += size(item) + 1;
    } else total = 4;
    inProgress.delete(node);
    sizes.set(node, total);
    return total;
  };
  return size(root);
}

/** Checks one parsed document's alias expansion against the bound for a text of `textLength` characters. */
export function checkAliasExpansion(doc: Document, textLength: number): void {
  if (!hasAlias(doc)) return;
  const limit = Math.max(MIN_ALIAS_EXPANSION_BYTES, MAX_ALIAS_EXPANSION_FACTOR * textLength);
  const produced = expandedSize(doc, doc.contents as Node | null);
  if (produced > limit) {
    if (!Number.isFinite(produced)) throw new YamlExpansionError("YAML aliases refer to themselves (a cycle has no JSON form): write the values out");
    const what = `expand to about ${human(produced)}`;
    throw new YamlExpansionError(
      `YAML aliases ${what}, above idgov's limit of ${human(limit)} for a ${human(textLength)} document (${MAX_ALIAS_EXPANSION_FACTOR}× its size, at least ${human(MIN_ALIAS_EXPANSION_BYTES)}): write the values out or share fewer anchors`,
    );
  }
}

function hasAlias(doc: Document): boolean {
  let found = false;
  YAML.visit(doc, { Alias: () => { found = true; return YAML.visit.BREAK; } });
  return found;
}

const human = (bytes: number) =>
  bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1).replace(/\.0$/, "")} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

/**
 * Parses one YAML document to plain data with bounded alias expansion.
 * Duplicate keys: the last wins, as in JSON.parse, Go's encoding/json and the
 * policies' JSON readers (case variants are distinct keys). Throws the yaml
 * package's error for malformed text, YamlExpansionError for a bomb.
 */
export function parseYaml(text: string, options: Options = {}): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: false, ...options });
  if (doc.errors.length > 0) throw doc.errors[0];
  return toData(doc, text.length);
}

/** A parsed document → plain data, after the expansion check. */
export function toData(doc: Document, textLength: number): unknown {
  checkAliasExpansion(doc, textLength);
  return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}
