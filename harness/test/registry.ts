// A real OCI registry for tests: Debian's `docker-registry` (the distribution registry),
// started on a free loopback port with its own storage folder, plain HTTP, HTTPS with a CA
// generated here with openssl, htpasswd basic auth, or bearer tokens from a token server run
// here (JWTs signed with a key the registry trusts). IDGOV_REGISTRY=host:port (plus
// IDGOV_REGISTRY_FLAGS, e.g. "--insecure") points the plain-HTTP tests at another registry.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createSign, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const REGISTRY_BIN = process.env.IDGOV_REGISTRY_BIN ?? "/usr/bin/docker-registry";
const repoRoot = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(repoRoot, "harness/bin/idgov.js");

export interface TestRegistry {
  /** host:port */
  host: string;
  /** CLI flags needed to reach it (--insecure, --ca-cert, --docker-config). */
  flags: string[];
  /** Storage folder (absent for an external registry). */
  storage?: string;
  /** Files made for it (CA, docker config). */
  dir: string;
  caCert?: string;
  dockerConfig?: string;
  user?: string;
  password?: string;
  stop(): Promise<void>;
}

export interface RegistryKind {
  tls?: boolean;
  basicAuth?: boolean;
  bearerAuth?: boolean;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA and a server certificate for 127.0.0.1 signed by it. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=idgov test CA");
  openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf");
  return { ca: path.join(dir, "ca.pem"), cert: path.join(dir, "server.pem"), key: path.join(dir, "server.key") };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** A token server as Docker's auth service works: Basic credentials in, a signed JWT out. */
async function startTokenServer(dir: string, service: string, issuer: string, user: string, password: string): Promise<{ url: string; bundle: string; close(): Promise<void> }> {
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key", "-out", "token.pem", "-days", "2", "-subj", "/CN=idgov test token signer");
  const key = readFileSync(path.join(dir, "token.key"), "utf8");
  const der = readFileSync(path.join(dir, "token.pem"), "utf8").replace(/-----[A-Z ]+-----|\s/g, "");
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scope = url.searchParams.get("scope") ?? "";
    const [type, name, actions] = scope.split(":");
    const granted = req.headers.authorization === expected && type === "repository" ? [{ type, name, actions: (actions ?? "").split(",") }] : [];
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", x5c: [der] }));
    const claims = b64url(JSON.stringify({ iss: issuer, sub: granted.length ? user : "", aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access: granted }));
    const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(key);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}` }));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/token`, bundle: path.join(dir, "token.pem"), close: () => new Promise((r) => server.close(() => r())) };
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port}: ${stderr()}`);
}

export function registryAvailable(): boolean {
  return existsSync(REGISTRY_BIN);
}

/** Starts a registry of the given kind; `stop()` kills it and removes its files. */
export async function startRegistry(kind: RegistryKind = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), "idgov-registry-"));
  if (!kind.tls && !kind.basicAuth && !kind.bearerAuth && process.env.IDGOV_REGISTRY) {
    const flags = (process.env.IDGOV_REGISTRY_FLAGS ?? "").split(" ").filter((f) => f !== "");
    return { host: process.env.IDGOV_REGISTRY, flags, dir, stop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!registryAvailable()) {
    throw new Error(`${REGISTRY_BIN} not found: install it (apt-get install docker-registry apache2-utils; \`make test\` does this as root) or set IDGOV_REGISTRY=host:port`);
  }
  const port = await freePort();
  const storage = path.join(dir, "storage");
  const flags: string[] = [];
  const lines = ["version: 0.1", "log: {level: error}", "storage:", `  filesystem: {rootdirectory: ${JSON.stringify(storage)}}`, "  delete: {enabled: true}", "http:", `  addr: 127.0.0.1:${port}`];
  const result: Partial<TestRegistry> = { host: `127.0.0.1:${port}`, storage, dir, flags };
  if (kind.tls) {
    const { ca, cert, key } = makeCertificates(dir);
    lines.push("  tls:", `    certificate: ${JSON.stringify(cert)}`, `    key: ${JSON.stringify(key)}`);
    result.caCert = ca;
  } else {
    flags.push("--insecure");
  }
  let tokenServer: Awaited<ReturnType<typeof startTokenServer>> | undefined;
  if (kind.basicAuth || kind.bearerAuth) {
    result.user = "idgov-ci";
    result.password = `pw-${randomUUID()}`;
    result.dockerConfig = path.join(dir, "docker-config.json");
    writeFileSync(result.dockerConfig, JSON.stringify({ auths: { [result.host!]: { auth: Buffer.from(`${result.user}:${result.password}`).toString("base64") } } }));
  }
  if (kind.basicAuth) {
    const htpasswd = execFileSync("htpasswd", ["-Bbn", result.user!, result.password!], { encoding: "utf8" });
    writeFileSync(path.join(dir, "htpasswd"), htpasswd);
    lines.push("auth:", "  htpasswd:", "    realm: idgov-test", `    path: ${JSON.stringify(path.join(dir, "htpasswd"))}`);
  }
  if (kind.bearerAuth) {
    tokenServer = await startTokenServer(dir, "idgov-test-registry", "idgov-test-issuer", result.user!, result.password!);
    lines.push("auth:", "  token:", `    realm: ${tokenServer.url}`, "    service: idgov-test-registry", "    issuer: idgov-test-issuer", `    rootcertbundle: ${JSON.stringify(tokenServer.bundle)}`);
  }
  writeFileSync(path.join(dir, "config.yml"), lines.join("\n") + "\n");
  const child = spawn(REGISTRY_BIN, ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => { stderr += d.toString(); });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...(result as TestRegistry), stop };
}

export interface CliResult { status: number; stdout: string; stderr: string }

/** Runs the idgov CLI asynchronously (servers in this process keep answering meanwhile). */
export function idgov(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}
