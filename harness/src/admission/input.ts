// Reading JSON-or-YAML documents from a file, stdin (`-`) or text, with a size cap.
import { readFileSync, statSync } from "node:fs";
import YAML from "yaml";
import { IdgovError, yamlErrorMessage } from "../errors.js";

/** Inputs above this size are refused (a real AdmissionReview is capped far lower by the API server). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Kubernetes refuses JSON nested deeper than this (apimachinery's 10,000); idgov does too. */
export const MAX_JSON_DEPTH = 10_000;

/** The one-line refusal of a too deeply nested document (V8's recursion would overflow first otherwise). */
/** Input nested deeper than MAX_JSON_DEPTH: refused, whoever sent it (a file, an HTTP body). */
export class TooDeepError extends IdgovError {}

export function tooDeep(what: string): TooDeepError {
  return new TooDeepError(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep, above the limit of Kubernetes and idgov (${MAX_JSON_DEPTH}): flatten it`);
}

export interface ReadOptions {
  /** what the document is, for error messages ("request", "settings", ...) */
  what: string;
  maxBytes?: number;
}

const human = (bytes: number) =>
  bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1).replace(/\.0$/, "")} MiB` : `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KiB`;

function tooBig(what: string, source: string, size: number, max: number): IdgovError {
  return new IdgovError(`${what} ${source} is ${human(size)}, above idgov's ${human(max)} input limit`);
}

/** Reads the raw text of a file path or `-` (stdin). */
export function readSourceText(source: string, opts: ReadOptions): string {
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  let buf: Buffer;
  try {
    if (source === "-") {
      buf = readFileSync(0);
    } else {
      const st = statSync(source);
      if (st.isDirectory()) throw new IdgovError(`${opts.what} ${source} is a directory, not a file`);
      if (st.size > max) throw tooBig(opts.what, source, st.size, max);
      buf = readFileSync(source);
    }
  } catch (e) {
    if (e instanceof IdgovError) throw e;
    throw new IdgovError(`cannot read ${opts.what} ${source === "-" ? "from stdin" : source}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (buf.length > max) throw tooBig(opts.what, source === "-" ? "on stdin" : source, buf.length, max);
  return buf.toString("utf8");
}

/** Parses JSON (fast path) or YAML text. */
export function parseDocument(text: string, source: string, opts: ReadOptions): unknown {
  const max = opts.maxBytes ?? MAX_INPUT_BYTES;
  if (text.length > max) throw tooBig(opts.what, source, text.length, max);
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") throw new IdgovError(`${opts.what} ${source} is empty`);
  try {
    return JSON.parse(trimmed);
  } catch (jsonError) {
    if (jsonError instanceof RangeError) throw tooDeep(`${opts.what} ${source}`);
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      // Looks like JSON; YAML might still accept it (flow style), otherwise report the JSON error.
      try {
        return YAML.parse(trimmed, { maxAliasCount: 100 });
      } catch (e) {
        if (e instanceof RangeError) throw tooDeep(`${opts.what} ${source}`);
        throw new IdgovError(`${opts.what} ${source} is not valid JSON: ${(jsonError as Error).message}`);
      }
    }
    try {
      return YAML.parse(trimmed, { maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof RangeError) throw tooDeep(`${opts.what} ${source}`);
      throw new IdgovError(`${opts.what} ${source} is neither JSON nor YAML: ${yamlErrorMessage(e)}`);
    }
  }
}
