// How idgov connects to each registry host: HTTPS verified against the system roots plus any
// private CA (`--ca-cert`, or kwctl's sources.yaml `source_authorities`), or plain HTTP for
// hosts the user named insecure (`--insecure`, or sources.yaml `insecure_sources`, which
// kwctl's registry client also reaches over plain HTTP).
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import YAML from "yaml";
import { IdgovError } from "../errors.js";

export interface Sources {
  insecureSources: string[];
  /** host[:port] → PEM or DER certificates. */
  sourceAuthorities: Record<string, Buffer[]>;
}

export interface ConnectionOptions {
  /** Plain HTTP for every registry (local test registries). */
  insecure?: boolean;
  /** Extra CA certificates trusted for every registry. */
  caCerts?: Buffer[];
  sources?: Sources;
}

export interface Transport {
  protocol: "https:" | "http:";
  /** Trusted roots for HTTPS (system roots plus the extra ones); undefined = Node's defaults. */
  ca?: (string | Buffer)[];
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new IdgovError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
}

function certificate(data: Buffer, where: string): Buffer {
  const text = data.toString("latin1");
  if (text.includes("-----BEGIN CERTIFICATE-----")) return data;
  if (data.length > 0 && data[0] === 0x30) return toPem(data); // DER: an ASN.1 SEQUENCE
  throw new IdgovError(`${where} is neither a PEM nor a DER certificate`);
}

function toPem(der: Buffer): Buffer {
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`);
}

/** Reads a CA file given with --ca-cert. */
export function readCaCert(file: string): Buffer {
  return certificate(readFile(file, "CA certificate"), file);
}

/** Parses kwctl's sources.yaml (`insecure_sources: [host]`, `source_authorities: {host: [{path}|{data}]}`). */
export function parseSources(text: string, file: string): Sources {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new IdgovError(`${file}: cannot parse sources YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (raw === null || raw === undefined) return { insecureSources: [], sourceAuthorities: {} };
  if (typeof raw !== "object" || Array.isArray(raw)) throw new IdgovError(`${file}: a sources file is a mapping with insecure_sources and source_authorities`);
  const r = raw as Record<string, unknown>;
  const insecure = r.insecure_sources ?? [];
  if (!Array.isArray(insecure) || !insecure.every((h) => typeof h === "string")) throw new IdgovError(`${file}: insecure_sources must be a list of host[:port] strings`);
  const authorities = r.source_authorities ?? {};
  if (typeof authorities !== "object" || authorities === null || Array.isArray(authorities)) {
    throw new IdgovError(`${file}: source_authorities must map host[:port] to a list of {path: <file>} or {data: <PEM>}`);
  }
  const sourceAuthorities: Record<string, Buffer[]> = {};
  for (const [host, list] of Object.entries(authorities as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new IdgovError(`${file}: source_authorities.${host} must be a list of {path: <file>} or {data: <PEM>}`);
    sourceAuthorities[host] = list.map((entry, i) => {
      const e = entry as Record<string, unknown> | null;
      const where = `${file}: source_authorities.${host}[${i}]`;
      if (e && typeof e.data === "string") return certificate(Buffer.from(e.data, "utf8"), where);
      if (e && typeof e.path === "string") return certificate(readFile(e.path, "certificate"), `${where} (${e.path})`);
      throw new IdgovError(`${where} must be {path: <file>} or {data: <PEM>}`);
    });
  }
  return { insecureSources: insecure as string[], sourceAuthorities };
}

export function readSources(file: string): Sources {
  return parseSources(readFile(file, "sources file").toString("utf8"), file);
}

/** The transport for one registry host (`host[:port]`). */
export function transportFor(host: string, opts: ConnectionOptions): Transport {
  if (opts.insecure || opts.sources?.insecureSources.includes(host)) return { protocol: "http:" };
  const extra = [...(opts.caCerts ?? []), ...(opts.sources?.sourceAuthorities[host] ?? [])];
  // Node's `ca` replaces the default roots; keep them so public registries still verify.
  return extra.length > 0 ? { protocol: "https:", ca: [...rootCertificates, ...extra] } : { protocol: "https:" };
}
