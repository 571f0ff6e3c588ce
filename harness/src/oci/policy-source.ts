// Where a command's <policy> argument points: a file, a policy folder, a `file://` URI, or a
// `registry://` reference (pulled into the store when it is not there yet, as kwctl run does).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { IdgovError } from "../errors.js";
import { RegistryClient, type PulledPolicy, type RegistryOptions } from "./client.js";
import { isRegistryUri, parseReference, type Reference } from "./reference.js";
import { PolicyStore } from "./store.js";

export interface SourceOptions extends RegistryOptions {
  store?: PolicyStore;
  /** Log line sink (stderr in the CLI). */
  log?: (line: string) => void;
}

/** Pulls `ref` into the store (verifying every digest) and returns the stored file. */
export async function pullIntoStore(ref: Reference, opts: SourceOptions = {}): Promise<{ file: string; pulled: PulledPolicy }> {
  const store = opts.store ?? new PolicyStore();
  const pulled = await new RegistryClient(opts).pullPolicy(ref);
  return { file: store.write(ref, pulled.wasm), pulled };
}

/** A local path for the policy argument; registry references are pulled when missing. */
export async function resolvePolicySource(arg: string, opts: SourceOptions = {}): Promise<string> {
  if (arg.startsWith("file://")) return fileURLToPath(arg);
  if (/^https?:\/\//.test(arg)) {
    throw new IdgovError(`${arg}: downloading modules over ${arg.split(":")[0]}:// is not supported; push it to a registry and use registry://, or download it and give the file`);
  }
  if (!isRegistryUri(arg)) return arg;
  const ref = parseReference(arg);
  const store = opts.store ?? new PolicyStore();
  if (store.has(ref)) return store.pathFor(ref);
  opts.log?.(`pulling ${arg} into ${store.root}`);
  return (await pullIntoStore(ref, { ...opts, store })).file;
}

/**
 * The shipped module a local argument names: a file (or file:// URI) as is, a policy folder
 * as its build/annotated-policy.wasm (push, inspect and scaffold act on what ships).
 */
export function annotatedModuleFile(arg: string): string {
  const file = arg.startsWith("file://") ? fileURLToPath(arg) : arg;
  if (existsSync(file) && statSync(file).isDirectory()) {
    const annotated = path.join(file, "build", "annotated-policy.wasm");
    if (!existsSync(annotated)) throw new IdgovError(`${annotated} not found: run \`make build\` (or \`idgov annotate ${file}\`) first`);
    return annotated;
  }
  return file;
}

/** Reads a module file with a one-line error saying what to give instead. */
export function readModuleFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdgovError(`cannot read module ${file}: ${code === "ENOENT" ? "no such file (give a .wasm file, a built policy folder or a registry:// reference)" : (e as Error).message}`);
  }
}
