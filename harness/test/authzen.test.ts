// AuthZEN 1.0 through `idgov serve --authzen`: the real server on 127.0.0.1 (a free port)
// with the authzen-todo policy. The upstream interop Todo decisions and the spec's JSON
// Schemas are read from ../shared/upstream/authzen (skipped without it, never copied here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import Ajv2020 from "ajv/dist/2020.js";
import { REPO_ROOT, tmpFile } from "./helpers.js";
import { serveFromOptions } from "../dist/commands/serve.js";
import type { RunningServer } from "../dist/serve/start.js";

const TODO = path.join(REPO_ROOT, "policies/authzen-todo");
const UPSTREAM = path.resolve(REPO_ROOT, "../shared/upstream/authzen");
const HAVE_UPSTREAM = existsSync(path.join(UPSTREAM, "todo/decisions-authorization-api-1_0-02.json"));
if (!HAVE_UPSTREAM) console.warn(`AuthZEN interop tests skipped: no upstream data at ${UPSTREAM}`);
const readUpstream = (f: string) => JSON.parse(readFileSync(path.join(UPSTREAM, f), "utf8"));

/** The Todo directory from the upstream PIP data (users-pip.json), as authzen-todo settings. */
function interopSettings() {
  const pip = readUpstream("todo/users-pip.json") as Record<string, { email: string; roles: string[] }>;
  return { users: Object.fromEntries(Object.entries(pip).map(([id, u]) => [id, { email: u.email, roles: u.roles }])) };
}
const ownSettings = YAML.parse(readFileSync(path.join(TODO, "test_data/settings.yaml"), "utf8"));

let server: RunningServer;
let base = "";

beforeAll(async () => {
  const config = tmpFile("policies.yml", YAML.stringify({
    todo: { module: TODO, settings: HAVE_UPSTREAM ? interopSettings() : ownSettings },
  }));
  const quiet = { stdout: () => {}, stderr: () => {} };
  server = await serveFromOptions(
    { config, addr: "127.0.0.1", port: "0", readinessPort: "0", workers: "1", accessLog: "off", authzen: "todo" } as never,
    quiet as never,
  );
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close(1000);
});

async function post(route: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(base + route, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: (await r.json()) as any };
}

const ownUser = (id: string, action: string, resource: unknown) => ({ subject: { type: "user", id }, action: { name: action }, resource });

describe.skipIf(!HAVE_UPSTREAM)("AuthZEN interop: the Todo scenario through idgov serve", () => {
  const schemas = () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    return {
      request: ajv.compile(readUpstream("spec/evaluation-request.schema.json")),
      response: ajv.compile(readUpstream("spec/evaluation-response.schema.json")),
    };
  };

  it("passes every single evaluation of decisions-authorization-api-1_0-02 (schemas checked both ways)", async () => {
    const { request, response } = schemas();
    const cases = readUpstream("todo/decisions-authorization-api-1_0-02.json").evaluation as { request: unknown; expected: boolean }[];
    expect(cases.length).toBe(40);
    const failures: string[] = [];
    for (const c of cases) {
      expect(request(c.request), JSON.stringify(request.errors)).toBe(true);
      const r = await post("/access/v1/evaluation", c.request);
      expect(r.status).toBe(200);
      expect(response(r.json), JSON.stringify(response.errors)).toBe(true);
      if (JSON.stringify(r.json.decision) !== JSON.stringify(c.expected)) failures.push(`${JSON.stringify(c.request)}: expected ${c.expected}, got ${JSON.stringify(r.json)}`);
    }
    expect(failures).toEqual([]);
  });

  it("passes the batch cases exactly as the interop harness compares them (JSON-identical evaluations)", async () => {
    const { response } = schemas();
    const cases = readUpstream("todo/decisions-authorization-api-1_0-02.json").evaluations as { request: unknown; expected: unknown[] }[];
    expect(cases.length).toBe(3);
    for (const c of cases) {
      const r = await post("/access/v1/evaluations", c.request);
      expect(r.status).toBe(200);
      for (const item of r.json.evaluations) expect(response(item)).toBe(true);
      expect(JSON.stringify(r.json.evaluations)).toBe(JSON.stringify(c.expected));
    }
  });

  it("passes the -01 single cases too", async () => {
    const cases = readUpstream("todo/decisions-authorization-api-1_0-01.json").evaluation as { request: unknown; expected: boolean }[];
    let passed = 0;
    for (const c of cases) if ((await post("/access/v1/evaluation", c.request)).json.decision === c.expected) passed++;
    expect(passed).toBe(cases.length);
  });
});

describe("AuthZEN endpoints", () => {
  const rick = HAVE_UPSTREAM ? "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" : "u-ada";
  const beth = HAVE_UPSTREAM ? "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs" : "u-cyd";
  const newTodo = { type: "todo", id: "new" };

  it("echoes X-Request-ID, on decisions and on errors", async () => {
    const ok = await post("/access/v1/evaluation", ownUser(rick, "can_create_todo", newTodo), { "X-Request-ID": "req-42" });
    expect(ok.json).toEqual({ decision: true });
    expect(ok.headers.get("x-request-id")).toBe("req-42");
    const bad = await post("/access/v1/evaluation", "{", { "X-Request-ID": "req-43" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-request-id")).toBe("req-43");
  });

  it("refuses malformed requests with 400 and a reason: bad JSON, empty body, wrong content type, missing fields", async () => {
    expect((await post("/access/v1/evaluation", "{")).json.message).toContain("not valid JSON");
    expect((await post("/access/v1/evaluation", "")).status).toBe(400);
    const wrongType = await fetch(base + "/access/v1/evaluation", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(ownUser(rick, "can_read_todos", newTodo)) });
    expect(wrongType.status).toBe(400);
    const missing = await post("/access/v1/evaluation", { subject: { type: "user", id: rick }, action: { name: "can_read_todos" } });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toContain("resource must be an object");
    expect((await post("/access/v1/evaluation", { ...ownUser(rick, "can_read_todos", newTodo), context: [] })).json.message).toContain("context must be an object");
  });

  it("ignores unknown fields (the spec requires it)", async () => {
    const r = await post("/access/v1/evaluation", { ...ownUser(rick, "can_read_todos", { ...newTodo, extra: 1 }), future_field: true });
    expect(r.json).toEqual({ decision: true });
  });

  it("fails closed: an unknown subject and an unknown action are denies", async () => {
    expect((await post("/access/v1/evaluation", ownUser("nobody", "can_read_todos", newTodo))).json).toEqual({ decision: false });
    expect((await post("/access/v1/evaluation", ownUser(rick, "can_launch_rockets", newTodo))).json).toEqual({ decision: false });
  });

  it("evaluations: defaults, execute_all, deny_on_first_deny, permit_on_first_permit, per-item errors", async () => {
    const batch = (semantic?: string) => ({
      subject: { type: "user", id: beth },
      resource: newTodo,
      evaluations: [{ action: { name: "can_read_todos" } }, { action: { name: "can_create_todo" } }, { action: "broken" }, { subject: { type: "user", id: rick }, action: { name: "can_create_todo" } }],
      ...(semantic ? { options: { evaluations_semantic: semantic } } : {}),
    });
    const all = await post("/access/v1/evaluations", batch());
    expect(all.json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, false, true]);
    expect(all.json.evaluations[2].context.error).toEqual({ status: 400, message: "action must be an object with \"name\"" });
    expect(all.json.decision).toBeUndefined();
    expect((await post("/access/v1/evaluations", batch("execute_all"))).json.evaluations).toHaveLength(4);
    expect((await post("/access/v1/evaluations", batch("deny_on_first_deny"))).json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    expect((await post("/access/v1/evaluations", batch("permit_on_first_permit"))).json.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true]);
    expect((await post("/access/v1/evaluations", batch("first_wins"))).status).toBe(400);
    // no items: a single evaluation of the top-level keys (here without an action: refused)
    expect((await post("/access/v1/evaluations", { ...batch(), evaluations: [] })).status).toBe(400);
    expect((await post("/access/v1/evaluations", { ...ownUser(rick, "can_read_todos", newTodo) })).json).toEqual({ decision: true });
    const tooMany = await post("/access/v1/evaluations", { ...batch(), evaluations: Array.from({ length: 1001 }, () => ({})) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.message).toContain("above the limit of 1000");
  });

  it("publishes its metadata at /.well-known/authzen-configuration", async () => {
    const r = await fetch(base + "/.well-known/authzen-configuration", { headers: { "X-Request-ID": "meta-1" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-request-id")).toBe("meta-1");
    expect(await r.json()).toEqual({
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    });
  });
});

describe("identity-assurance as an AuthZEN PDP with its own settings", () => {
  let ia: RunningServer;
  let iaBase = "";
  beforeAll(async () => {
    // "a user may approve a payment only with a liveness check from the last 7 days and AML risk at most low"
    const settings = {
      rules: [{ name: "approve-payment", match: { resources: ["payment/approve"] }, require: { signals: ["liveness"], maxAge: "7d", maxAmlRisk: "low" } }],
      claims: { prefix: "idgov.dev/" },
    };
    const config = tmpFile("policies.yml", YAML.stringify({ payments: { module: path.join(REPO_ROOT, "policies/identity-assurance"), settings } }));
    ia = await serveFromOptions(
      { config, addr: "127.0.0.1", port: "0", readinessPort: "0", workers: "1", accessLog: "off", authzen: "payments", now: "2026-11-25T12:00:00Z" } as never,
      { stdout: () => {}, stderr: () => {} } as never,
    );
    iaBase = `http://127.0.0.1:${ia.port}`;
  });
  afterAll(async () => {
    await ia?.close(1000);
  });

  const approve = async (claims: Record<string, string>) => {
    const r = await fetch(iaBase + "/access/v1/evaluation", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subject: { type: "user", id: "alice@example.com", properties: claims }, action: { name: "approve" }, resource: { type: "payment", id: "pay-1" } }),
    });
    return ((await r.json()) as { decision: boolean }).decision;
  };
  const fresh = {
    "idgov.dev/liveness-status": "approved",
    "idgov.dev/liveness-verified-at": "2026-11-24T09:00:00Z",
    "idgov.dev/aml-status": "approved",
    "idgov.dev/aml-verified-at": "2026-11-24T09:00:00Z",
    "idgov.dev/aml-risk": "low",
  };

  it("permits with fresh liveness and low AML risk, denies otherwise", async () => {
    expect(await approve(fresh)).toBe(true);
    expect(await approve({ ...fresh, "idgov.dev/aml-risk": "medium" })).toBe(false);
    expect(await approve({ ...fresh, "idgov.dev/liveness-verified-at": "2026-11-01T09:00:00Z" })).toBe(false);
    expect(await approve({})).toBe(false);
  });
});
