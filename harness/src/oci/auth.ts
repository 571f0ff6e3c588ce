// Registry credentials and the two challenge schemes registries use: HTTP Basic, and the
// Docker/OCI bearer-token flow (`WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET
// the realm with the credentials → `{token}` → retry with `Authorization: Bearer`).
// Credentials come from Docker's config.json (`auths.<host>.auth` = base64 user:password).
// They are only ever put in Authorization headers, never in messages.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { IdgovError } from "../errors.js";

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Docker's own lookup: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function defaultDockerConfigPath(): string {
  return path.join(process.env.DOCKER_CONFIG ?? path.join(homedir(), ".docker"), "config.json");
}

// Docker Hub is stored under its legacy index URL by `docker login`.
const HUB_KEYS = ["docker.io", "index.docker.io", "registry-1.docker.io"];

function normalizeKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, "").split("/")[0];
  return HUB_KEYS.includes(host) ? "docker.io" : host;
}

/**
 * Credentials per registry host from a Docker config.json. A missing default file means
 * anonymous access; a file given explicitly must exist. Only `auths` is read (credential
 * helpers run programs idgov does not run).
 */
export function readDockerConfig(file?: string): Map<string, Credentials> {
  const explicit = file !== undefined;
  const p = file ?? defaultDockerConfigPath();
  const creds = new Map<string, Credentials>();
  if (!explicit && !existsSync(p)) return creds;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IdgovError(`cannot read Docker config ${p}: ${code === "ENOENT" ? "no such file" : code ? (e as Error).message : "it is not valid JSON"}`);
  }
  const auths = (raw as { auths?: unknown } | null)?.auths;
  if (auths === undefined) return creds;
  if (typeof auths !== "object" || auths === null || Array.isArray(auths)) throw new IdgovError(`Docker config ${p}: "auths" must map registry hosts to {auth: base64(user:password)}`);
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e !== "object") continue;
    let username: string | undefined;
    let password: string | undefined;
    if (typeof e.auth === "string" && e.auth !== "") {
      const decoded = Buffer.from(e.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) throw new IdgovError(`Docker config ${p}: auths.${key}.auth is not base64 of user:password`);
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    } else if (typeof e.username === "string" && typeof e.password === "string") {
      username = e.username;
      password = e.password;
    }
    if (username !== undefined && password !== undefined) creds.set(normalizeKey(key), { username, password });
  }
  return creds;
}

export function credentialsFor(creds: Map<string, Credentials>, registry: string): Credentials | undefined {
  return creds.get(normalizeKey(registry));
}

export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64")}`;
}

/** Parses one `WWW-Authenticate` value: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export function parseChallenge(value: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The token from a token-server answer (`token`, or OAuth2's `access_token`). */
export function tokenFromAnswer(body: Buffer, realm: string): string {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    throw new IdgovError(`the token server ${realm} did not answer JSON`);
  }
  const token = typeof v?.token === "string" ? v.token : typeof v?.access_token === "string" ? v.access_token : undefined;
  if (token === undefined || token === "") throw new IdgovError(`the token server ${realm} answered without a token`);
  return token;
}
