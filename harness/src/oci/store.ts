// The local policy store, laid out like kwctl's (kubewarden-protocol.md §6):
// `<root>/registry/<host[:port]>/<repository>:<tag>` (or `@sha256:…` for digest pulls), one
// wasm file per reference, so the path spells the URI. Root: $XDG_CACHE_HOME/idgov/store
// (default ~/.cache/idgov/store).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { IdgovError } from "../errors.js";
import { metadataFromModule, type Metadata } from "../runtime/loading/metadata.js";
import { parseReference, REGISTRY_SCHEME, registryUri, type Reference } from "./reference.js";

export function defaultStoreRoot(): string {
  const cache = process.env.XDG_CACHE_HOME && process.env.XDG_CACHE_HOME !== "" ? process.env.XDG_CACHE_HOME : path.join(homedir(), ".cache");
  return path.join(cache, "idgov", "store");
}

export interface StoredPolicy {
  uri: string;
  path: string;
  /** sha256 of the stored module (kwctl lists this too; it is not the manifest digest). */
  sha256: string;
  size: number;
  metadata?: Metadata;
}

const SCHEME_DIR = "registry";

export class PolicyStore {
  constructor(readonly root: string = defaultStoreRoot()) {}

  /** Where a reference's module lives in the store. */
  pathFor(ref: Reference): string {
    const name = ref.digest !== undefined && ref.tag === undefined ? `${ref.repository}@${ref.digest}` : `${ref.repository}:${ref.tag ?? "latest"}`;
    return path.join(this.root, SCHEME_DIR, ref.registry, ...name.split("/"));
  }

  has(ref: Reference): boolean {
    return existsSync(this.pathFor(ref));
  }

  /** Writes atomically (a half-written module never appears under the reference's name). */
  write(ref: Reference, wasm: Uint8Array): string {
    const file = this.pathFor(ref);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, file);
    return file;
  }

  /** Removes a stored reference; throws when the store does not hold it. */
  remove(uriOrRef: string): string {
    const ref = parseReference(uriOrRef);
    const file = this.pathFor(ref);
    if (!existsSync(file)) throw new IdgovError(`${registryUri(ref)} is not in the store (${this.root}); \`idgov policies\` lists what is`);
    rmSync(file);
    // Drop the directories the removal emptied, up to the store root.
    let dir = path.dirname(file);
    while (dir.startsWith(path.join(this.root, SCHEME_DIR)) && dir !== path.join(this.root, SCHEME_DIR) && readdirSync(dir).length === 0) {
      rmSync(dir, { recursive: true });
      dir = path.dirname(dir);
    }
    return file;
  }

  /** Every stored policy, sorted by URI. */
  list(): StoredPolicy[] {
    const base = path.join(this.root, SCHEME_DIR);
    const out: StoredPolicy[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && !entry.name.endsWith(".tmp")) out.push(this.describe(full, base));
      }
    };
    if (existsSync(base)) walk(base);
    return out.sort((a, b) => (a.uri < b.uri ? -1 : 1));
  }

  private describe(file: string, base: string): StoredPolicy {
    const bytes = readFileSync(file);
    const uri = REGISTRY_SCHEME + path.relative(base, file).split(path.sep).join("/");
    let metadata: Metadata | undefined;
    try {
      metadata = metadataFromModule(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), uri);
    } catch {
      metadata = undefined; // listed anyway: `idgov inspect` says what is wrong with it
    }
    return { uri, path: file, sha256: createHash("sha256").update(bytes).digest("hex"), size: statSync(file).size, metadata };
  }
}
