import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { convertDiditDecisionText, MAX_DECISION_BYTES, readDecisionFile } from "../src/signals/import.js";
import { signalsCommand } from "../src/commands/signals.js";
import { loadPolicy } from "../dist/index.js";
import {
  buildSignalsConfigMap,
  fnv1a32,
  isDnsSubdomain,
  objectName,
  readSignalsConfigMap,
  sanitizeUsername,
  subjectHash,
  utf8Bytes,
} from "../src/signals/configmap.js";
import { DIDIT_FEATURES, importDiditDecision, mapDiditStatus } from "../src/signals/didit.js";
import {
  amlRiskBand,
  buildSubjectsSettings,
  dateToTimestamp,
  normalizeScore,
  normalizeTimestamp,
  recordToJson,
  SIGNAL_KINDS,
  validateRecord,
  type SignalSet,
} from "../src/signals/records.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TEST_DATA = join(ROOT, "policies/identity-assurance/test_data");
const EXAMPLE = join(ROOT, "policies/identity-assurance/examples/identity-signals-configmap.yaml");

async function sample(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(TEST_DATA, name), "utf8")) as Record<string, unknown>;
}

/** A minimal decision with one feature array. */
function decision(field: string, items: unknown[] | null, extra: Record<string, unknown> = {}) {
  return { session_id: "s-1", status: "Approved", created_at: "2026-01-02T03:04:05Z", [field]: items, ...extra };
}

function signalsOf(d: unknown, opts = {}): SignalSet {
  return importDiditDecision(d, opts).signals;
}

// ---------------------------------------------------------------------------
describe("records", () => {
  it("normalizes vendor timestamps to YYYY-MM-DDTHH:MM:SSZ (UTC, fraction truncated)", () => {
    expect(normalizeTimestamp("2026-11-10T09:00:00.412337Z")).toBe("2026-11-10T09:00:00Z");
    expect(normalizeTimestamp("2026-11-10T09:00:00.999Z")).toBe("2026-11-10T09:00:00Z");
    expect(normalizeTimestamp("2026-11-10T10:30:00+01:30")).toBe("2026-11-10T09:00:00Z");
    expect(normalizeTimestamp("2026-01-01T00:30:00-0100")).toBe("2026-01-01T01:30:00Z");
    expect(normalizeTimestamp("2026-01-01T00:30:00+01:00")).toBe("2025-12-31T23:30:00Z");
    expect(normalizeTimestamp("2026-11-10 09:00:00")).toBe("2026-11-10T09:00:00Z"); // naive → UTC
    expect(normalizeTimestamp("0050-03-01T00:00:00Z")).toBe("0050-03-01T00:00:00Z");
    for (const bad of ["2026-02-30T00:00:00Z", "2026-11-10T24:00:00Z", "2026-11-10T09:00:60Z", "yesterday", "2026-11-10", ""]) {
      expect(normalizeTimestamp(bad), bad).toBeUndefined();
    }
    // strict (user input): an offset is required, and T.
    expect(normalizeTimestamp("2026-11-10T09:00:00", true)).toBeUndefined();
    expect(normalizeTimestamp("2026-11-10 09:00:00Z", true)).toBeUndefined();
    expect(normalizeTimestamp("2026-11-10T09:00:00Z", true)).toBe("2026-11-10T09:00:00Z");
  });

  it("turns a document date into midnight UTC", () => {
    expect(dateToTimestamp("2031-04-30")).toBe("2031-04-30T00:00:00Z");
    expect(dateToTimestamp("2028-02-29")).toBe("2028-02-29T00:00:00Z");
    expect(dateToTimestamp("2027-02-29")).toBeUndefined();
    expect(dateToTimestamp("30/04/2031")).toBeUndefined();
  });

  it("rounds and clamps scores to integers 0-100", () => {
    expect(normalizeScore(95.31)).toBe(95);
    expect(normalizeScore(94.5)).toBe(95);
    expect(normalizeScore(-3)).toBe(0);
    expect(normalizeScore(100.4)).toBe(100);
    expect(normalizeScore(250)).toBe(100);
    expect(normalizeScore(Number.NaN)).toBeUndefined();
  });

  it("AML risk bands at their boundaries", () => {
    expect(amlRiskBand(undefined, 3)).toBe("none");
    expect(amlRiskBand(0, 3)).toBe("none");
    expect(amlRiskBand(95, 0)).toBe("none"); // no hits
    expect(amlRiskBand(1, 1)).toBe("low");
    expect(amlRiskBand(39, 1)).toBe("low");
    expect(amlRiskBand(40, 1)).toBe("medium");
    expect(amlRiskBand(69, 1)).toBe("medium");
    expect(amlRiskBand(70, 1)).toBe("high");
    expect(amlRiskBand(89, 1)).toBe("high");
    expect(amlRiskBand(90, 1)).toBe("critical");
    expect(amlRiskBand(100, undefined)).toBe("critical");
  });

  it("serializes records compactly in canonical field order, without absent optionals", () => {
    expect(
      recordToJson({ method: "active", score: 95, verifiedAt: "2026-11-10T09:00:00Z", status: "approved", risk: undefined }),
    ).toBe("{\"status\":\"approved\",\"verifiedAt\":\"2026-11-10T09:00:00Z\",\"score\":95,\"method\":\"active\"}");
  });

  it("validates records", () => {
    expect(validateRecord({ status: "approved", verifiedAt: "2026-11-10T09:00:00Z" })).toEqual([]);
    expect(validateRecord({ status: "ok", verifiedAt: "2026-11-10T09:00:00.5Z", score: 7.5 }, "aml")).toEqual([
      "status: expected one of approved, declined, in_review, pending, expired",
      "verifiedAt: expected YYYY-MM-DDTHH:MM:SSZ",
      "score: expected an integer 0-100",
    ]);
    expect(validateRecord({ status: "approved", verifiedAt: "2026-11-10T09:00:00Z", risk: "low" }, "faceMatch")).toEqual([
      "risk: only for aml",
    ]);
    expect(validateRecord({ verifiedAt: "2026-11-10T09:00:00Z", name: "x" })).toEqual(["name: unknown field", "status: required"]);
    expect(validateRecord(null)).toEqual(["expected a JSON object"]);
  });

  it("builds a subjects settings entry (a username such as __proto__ is an ordinary key)", () => {
    const s = buildSubjectsSettings("__proto__", { email: { status: "approved", verifiedAt: "2026-01-01T00:00:00Z" } });
    expect(Object.keys(s.subjects)).toEqual(["__proto__"]);
  });
});

// ---------------------------------------------------------------------------
describe("Didit mapping", () => {
  it("maps statuses", () => {
    const table: Array<[unknown, string]> = [
      ["Approved", "approved"],
      ["Declined", "declined"],
      ["In Review", "in_review"],
      ["Expired", "expired"],
      ["Kyc Expired", "expired"],
      ["Not Finished", "pending"],
      ["Not Started", "pending"],
      ["In Progress", "pending"],
      ["Resubmitted", "pending"],
      ["Resub Requested", "pending"],
      ["Abandoned", "pending"],
      ["approved", "pending"], // Didit statuses are case-sensitive
      [null, "pending"],
    ];
    for (const [didit, expected] of table) expect(mapDiditStatus(didit), String(didit)).toBe(expected);
  });

  it("maps id_verifications to idDocument with the document expiry", () => {
    const s = signalsOf(decision("id_verifications", [{ status: "Approved", expiration_date: "2031-04-30", document_number: "X1" }]));
    expect(s).toEqual({
      idDocument: { status: "approved", verifiedAt: "2026-01-02T03:04:05Z", expiresAt: "2031-04-30T00:00:00Z" },
    });
  });

  it("maps liveness_checks with score and method", () => {
    for (const [method, expected] of [["ACTIVE_3D", "active"], ["FLASHING", "active"], ["PASSIVE", "passive"]] as const) {
      const s = signalsOf(decision("liveness_checks", [{ status: "Declined", method, score: 33.3 }]));
      expect(s.liveness).toEqual({ status: "declined", verifiedAt: "2026-01-02T03:04:05Z", score: 33, method: expected });
    }
    const r = importDiditDecision(decision("liveness_checks", [{ status: "Approved", method: "SELFIE_2D", score: 90 }]));
    expect(r.signals.liveness).toEqual({ status: "approved", verifiedAt: "2026-01-02T03:04:05Z", score: 90 });
    expect(r.warnings).toEqual(["liveness_checks[0]: unknown liveness method \"SELFIE_2D\"; method omitted"]);
  });

  it("maps face_matches with score", () => {
    expect(signalsOf(decision("face_matches", [{ status: "In Review", score: 71.49 }])).faceMatch).toEqual({
      status: "in_review",
      verifiedAt: "2026-01-02T03:04:05Z",
      score: 71,
    });
  });

  it("maps aml_screenings with score and risk", () => {
    const aml = (item: Record<string, unknown>) => signalsOf(decision("aml_screenings", [item])).aml;
    expect(aml({ status: "Approved", total_hits: 0, score: 0 })).toEqual({
      status: "approved",
      verifiedAt: "2026-01-02T03:04:05Z",
      score: 0,
      risk: "none",
    });
    expect(aml({ status: "Approved", total_hits: 0, score: null })).toEqual({
      status: "approved",
      verifiedAt: "2026-01-02T03:04:05Z",
      risk: "none",
    });
    expect(aml({ status: "In Review", total_hits: 1, score: 39.4 })?.risk).toBe("low");
    expect(aml({ status: "In Review", total_hits: 1, score: 39.5 })?.risk).toBe("medium"); // rounds to 40
    expect(aml({ status: "In Review", total_hits: 1, score: 69 })?.risk).toBe("medium");
    expect(aml({ status: "In Review", total_hits: 1, score: 70 })?.risk).toBe("high");
    expect(aml({ status: "Declined", total_hits: 1, score: 89 })?.risk).toBe("high");
    expect(aml({ status: "Declined", total_hits: 2, score: 90 })?.risk).toBe("critical");
    expect(aml({ status: "Declined", hits: [{}, {}], score: 100 })).toEqual({
      status: "declined",
      verifiedAt: "2026-01-02T03:04:05Z",
      score: 100,
      risk: "critical",
    });
  });

  it("maps nfc, phone and email to status + verifiedAt", () => {
    const d = {
      ...decision("nfc_verifications", [{ status: "Approved", chip_data: { document_number: "X" } }]),
      phone_verifications: [{ status: "Approved", full_number: "+15550100", verified_at: "2026-01-02T03:00:00Z" }],
      email_verifications: [{ status: "Declined", email: "a@b.c", verified_at: "2026-01-02T02:00:00.5+00:00" }],
    };
    expect(signalsOf(d)).toEqual({
      nfc: { status: "approved", verifiedAt: "2026-01-02T03:04:05Z" },
      phone: { status: "approved", verifiedAt: "2026-01-02T03:00:00Z" },
      email: { status: "declined", verifiedAt: "2026-01-02T02:00:00Z" },
    });
  });

  it("never produces duplicateFace and covers every other kind", () => {
    expect(DIDIT_FEATURES.map((f) => f.kind).sort()).toEqual(SIGNAL_KINDS.filter((k) => k !== "duplicateFace").sort());
  });

  it("null, absent and empty feature arrays produce no record", () => {
    const d = { ...decision("face_matches", null), liveness_checks: [], email_verifications: [{ status: "Approved" }] };
    expect(Object.keys(signalsOf(d))).toEqual(["email"]);
  });

  it("the latest item wins; ties go to the later item", () => {
    const d = decision("liveness_checks", [
      { status: "Declined", created_at: "2026-01-02T05:00:00Z", score: 10 },
      { status: "Approved", created_at: "2026-01-02T06:00:00+02:00", score: 90 }, // 04:00Z: older
      { status: "In Review", created_at: "2026-01-02T04:59:59Z", score: 50 },
    ]);
    expect(signalsOf(d).liveness).toMatchObject({ status: "declined", score: 10 });
    const tie = decision("face_matches", [
      { status: "Declined", score: 10 },
      { status: "Approved", score: 90 },
    ]);
    expect(signalsOf(tie).faceMatch).toMatchObject({ status: "approved", score: 90 });
  });

  it("verifiedAt precedence: item verified_at, created_at, updated_at; decision created_at, updated_at; --verified-at", () => {
    const item = { status: "Approved", verified_at: "2026-03-01T00:00:00Z", created_at: "2026-02-01T00:00:00Z", updated_at: "2026-04-01T00:00:00Z" };
    const top = { created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-05T00:00:00Z" };
    const at = (it: Record<string, unknown>, t: Record<string, unknown>, opts = {}) =>
      signalsOf({ session_id: "s", email_verifications: [it], ...t }, opts).email?.verifiedAt;
    expect(at(item, top)).toBe("2026-03-01T00:00:00Z");
    expect(at({ ...item, verified_at: null }, top)).toBe("2026-02-01T00:00:00Z");
    expect(at({ status: "Approved", updated_at: "2026-04-01T00:00:00Z" }, top)).toBe("2026-04-01T00:00:00Z");
    expect(at({ status: "Approved" }, top)).toBe("2026-01-01T00:00:00Z");
    expect(at({ status: "Approved" }, { updated_at: "2026-01-05T00:00:00Z" })).toBe("2026-01-05T00:00:00Z");
    expect(at({ status: "Approved" }, {}, { verifiedAt: "2026-06-01T12:00:00+02:00" })).toBe("2026-06-01T10:00:00Z");
    expect(() => at({ status: "Approved" }, {})).toThrow(
      "input: email_verifications[0] (email) has no timestamp: neither the item (verified_at, created_at, updated_at) nor the decision (created_at, updated_at) has one; pass --verified-at <RFC3339>",
    );
    expect(() => at({ status: "Approved", verified_at: "soon" }, top)).toThrow(
      "input: email_verifications[0]: verified_at \"soon\" is not a valid timestamp",
    );
  });

  it("drops a non-numeric score with a warning", () => {
    const r = importDiditDecision(decision("face_matches", [{ status: "Approved", score: "high" }]), { source: "d.json" });
    expect(r.signals.faceMatch).toEqual({ status: "approved", verifiedAt: "2026-01-02T03:04:05Z" });
    expect(r.warnings).toEqual(["face_matches[0]: score \"high\" is not a number; omitted"]);
    const aml = importDiditDecision(decision("aml_screenings", [{ status: "Declined", total_hits: 2, score: "n/a" }]));
    expect(aml.signals.aml).toEqual({ status: "declined", verifiedAt: "2026-01-02T03:04:05Z" });
    expect(aml.warnings).toHaveLength(2);
  });

  it("unwraps a webhook payload", () => {
    const hook = { webhook_type: "status.updated", session_id: "s-1", status: "Approved", decision: decision("face_matches", [{ status: "Approved", score: 99 }]) };
    expect(importDiditDecision(hook).signals.faceMatch?.score).toBe(99);
  });

  it("rejects things that are not decisions", () => {
    const msg
      = "d.json is not a Didit session decision: expected an object with session_id and at least one of id_verifications, liveness_checks, face_matches, aml_screenings, nfc_verifications, phone_verifications, email_verifications (the body of GET /v3/session/{id}/decision/ or a webhook's decision)";
    for (const bad of [[], "x", null, { session_id: "s" }, { id_verifications: [] }, { session_id: 7, face_matches: [] }]) {
      expect(() => importDiditDecision(bad, { source: "d.json" })).toThrow(msg);
    }
    expect(() => importDiditDecision({ session_id: "s", face_matches: null, ip_analyses: [{}] }, { source: "d.json" })).toThrow(
      "d.json: the decision has no results to import",
    );
    expect(() => importDiditDecision(decision("face_matches", [] as unknown[], { face_matches: {} }))).toThrow(
      "input: face_matches: expected an array or null, got an object",
    );
    expect(() => importDiditDecision(decision("face_matches", ["Approved"]))).toThrow(
      "input: face_matches[0]: expected an object, got a string",
    );
  });
});

// ---------------------------------------------------------------------------
describe("object naming", () => {
  it("computes FNV-1a 32 (known vectors, and checked against an independent BigInt implementation)", () => {
    expect(subjectHash("")).toBe("811c9dc5");
    expect(subjectHash("a")).toBe("e40c292c");
    expect(subjectHash("foobar")).toBe("bf9cf968");
    const reference = (s: string) => {
      let h = 0x811c9dc5n;
      for (const b of Buffer.from(s, "utf8")) h = ((h ^ BigInt(b)) * 0x01000193n) % 0x100000000n;
      return h.toString(16).padStart(8, "0");
    };
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => subjectHash(s) === reference(s)));
    expect(fnv1a32(new Uint8Array([0x61]))).toBe(0xe40c292c);
    // Well-formed strings: same bytes as TextEncoder. Lone surrogates: WTF-8, like AssemblyScript.
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => {
      expect(utf8Bytes(s)).toEqual(new TextEncoder().encode(s));
    }));
    expect(utf8Bytes("\ud800x")).toEqual(new Uint8Array([0xed, 0xa0, 0x80, 0x78]));
    expect(subjectHash("\ud800")).toBe(fnv1a32(new Uint8Array([0xed, 0xa0, 0x80])).toString(16).padStart(8, "0"));
  });

  it("names the example subjects", () => {
    expect(subjectHash("alice@example.com")).toBe("94a4b546");
    expect(objectName("alice@example.com")).toBe("idgov-alice-example-com-94a4b546");
    expect(subjectHash("system:serviceaccount:ci:deployer")).toBe("5f01e068");
    expect(objectName("system:serviceaccount:ci:deployer")).toBe("idgov-system-serviceaccount-ci-deployer-5f01e068");
    expect(subjectHash("Alice@Example.com")).toBe("ef11c2c6");
    expect(objectName("Alice@Example.com")).toBe("idgov-alice-example-com-ef11c2c6");
    expect(subjectHash("Alice@Example.com")).not.toBe(subjectHash("alice@example.com"));
  });

  it("sanitizes: ASCII lowercase, other characters (dots too) to '-', truncate to 200, trim '-'", () => {
    expect(sanitizeUsername("ÄLICE_Ø@x.io")).toBe("lice---x-io"); // Ä → "-", then trimmed
    expect(sanitizeUsername("https://idp.example.com#Bob")).toBe("https---idp-example-com-bob");
    expect(sanitizeUsername("..--alice--..")).toBe("alice");
    expect(sanitizeUsername("@@@")).toBe("");
    expect(objectName("@@@")).toBe(`idgov--${subjectHash("@@@")}`);
    expect(sanitizeUsername("a😀b")).toBe("a--b"); // per UTF-16 code unit
    expect(sanitizeUsername("İ")).toBe(""); // non-ASCII letters are not lowercased
    const long = "x".repeat(199) + ".yyy";
    expect(sanitizeUsername(long)).toBe("x".repeat(199)); // truncated to "x…x." then trimmed
    expect(objectName("B".repeat(500))).toBe(`idgov-${"b".repeat(200)}-${subjectHash("B".repeat(500))}`);
  });

  it("property: names are deterministic, ≤ 215 chars, [a-z0-9-], idgov-<sanitized>-<hash8>", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (u) => {
        const name = objectName(u);
        const s = sanitizeUsername(u);
        expect(name).toBe(`idgov-${s}-${subjectHash(u)}`);
        expect(name.length).toBeLessThanOrEqual(215);
        expect(name).toMatch(/^[a-z0-9-]+$/);
        expect(s).not.toMatch(/^-|-$/);
        expect(s.length).toBeLessThanOrEqual(200);
      }),
    );
  });

  it("property: every name is a valid DNS subdomain (≤ 253), so kubectl accepts the manifest", () => {
    const usernames = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.stringMatching(/^[A-Za-z0-9@:._#\/+-]{0,260}$/),
      fc.emailAddress(),
      fc.constantFrom("john..doe@example.com", "a.-b", "a@.b", ".", "-"),
    );
    fc.assert(
      fc.property(usernames, (u) => {
        expect(isDnsSubdomain(objectName(u))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------
describe("ConfigMap", () => {
  const signals: SignalSet = {
    liveness: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", score: 95, method: "active" },
    idDocument: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", expiresAt: "2031-04-30T00:00:00Z" },
  };

  it("follows the contract", () => {
    const cm = buildSignalsConfigMap("alice@example.com", signals, { source: "didit", sessionId: "s-1" });
    expect(cm).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "idgov-alice-example-com-94a4b546",
        namespace: "idgov-system",
        labels: { "app.kubernetes.io/managed-by": "idgov", "idgov.dev/subject-hash": "94a4b546" },
        annotations: { "idgov.dev/source": "didit", "idgov.dev/session-id": "s-1" },
      },
      data: {
        subject: "alice@example.com",
        idDocument: "{\"status\":\"approved\",\"verifiedAt\":\"2026-11-10T09:00:00Z\",\"expiresAt\":\"2031-04-30T00:00:00Z\"}",
        liveness: "{\"status\":\"approved\",\"verifiedAt\":\"2026-11-10T09:00:00Z\",\"score\":95,\"method\":\"active\"}",
      },
    });
    expect(Object.keys(cm.data)).toEqual(["subject", "idDocument", "liveness"]); // canonical order
    expect(readSignalsConfigMap(cm)).toEqual({ subject: "alice@example.com", signals });
  });

  it("rejects a bad namespace", () => {
    expect(() => buildSignalsConfigMap("a", signals, { namespace: "Idgov_System" })).toThrow(
      "namespace \"Idgov_System\" is not a valid Kubernetes namespace name",
    );
  });
});

// ---------------------------------------------------------------------------
describe("sample decisions", () => {
  it("approved: every imported kind, approved", async () => {
    const r = importDiditDecision(await sample("didit-decision-approved.json"));
    expect(r.warnings).toEqual([]);
    expect(r.sessionId).toBe("7c0a4c5e-1b2d-4f3a-9e8b-5d6c7b8a9f01");
    expect(r.signals).toEqual({
      idDocument: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", expiresAt: "2031-04-30T00:00:00Z" },
      liveness: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", score: 95, method: "active" },
      faceMatch: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", score: 93 },
      aml: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z", score: 0, risk: "none" },
      nfc: { status: "approved", verifiedAt: "2026-11-10T09:00:00Z" },
      phone: { status: "approved", verifiedAt: "2026-11-10T08:57:41Z" },
      email: { status: "approved", verifiedAt: "2026-11-10T08:55:03Z" },
    });
  });

  it("declined-aml: AML declined, critical", async () => {
    const r = importDiditDecision(await sample("didit-decision-declined-aml.json"));
    expect(r.sessionStatus).toBe("Declined");
    expect(r.signals).toEqual({
      idDocument: { status: "approved", verifiedAt: "2026-11-12T14:31:09Z", expiresAt: "2029-12-31T00:00:00Z" },
      liveness: { status: "approved", verifiedAt: "2026-11-12T14:31:09Z", score: 88, method: "active" },
      faceMatch: { status: "approved", verifiedAt: "2026-11-12T14:31:09Z", score: 82 },
      aml: { status: "declined", verifiedAt: "2026-11-12T14:31:09Z", score: 95, risk: "critical" },
    });
  });

  it("in-review: the later (in review) liveness attempt wins", async () => {
    const r = importDiditDecision(await sample("didit-decision-in-review.json"));
    expect(r.signals).toEqual({
      idDocument: { status: "approved", verifiedAt: "2026-11-14T16:20:45Z", expiresAt: "2027-10-10T00:00:00Z" },
      liveness: { status: "in_review", verifiedAt: "2026-11-14T16:24:37Z", score: 62, method: "passive" },
      faceMatch: { status: "approved", verifiedAt: "2026-11-14T16:20:45Z", score: 88 },
      email: { status: "approved", verifiedAt: "2026-11-14T16:19:58Z" },
    });
  });

  it("the committed example manifest is what the command prints for the approved sample", async () => {
    const text = await readFile(join(TEST_DATA, "didit-decision-approved.json"), "utf8");
    const { yaml } = convertDiditDecisionText(text, { subject: "alice@example.com" }, "didit-decision-approved.json");
    const example = await readFile(EXAMPLE, "utf8");
    expect(example.split("\n").filter((l) => !l.startsWith("#")).join("\n")).toBe(yaml);
  });
});

// ---------------------------------------------------------------------------
describe("no personal data in the output", () => {
  const PII_FIELDS = [
    "first_name",
    "last_name",
    "full_name",
    "document_number",
    "personal_number",
    "date_of_birth",
    "address",
    "place_of_birth",
    "email",
    "phone_number",
    "full_number",
    "portrait_image",
    "front_image",
    "reference_image",
    "video_url",
    "source_image",
    "target_image",
    "ip_address",
    "caption",
  ];

  /** All strings in a parsed output, with ConfigMap data values parsed as JSON too. */
  function leaves(v: unknown, out: string[] = []): string[] {
    if (typeof v === "string") {
      out.push(v);
      if (v.startsWith("{")) leaves(JSON.parse(v), out);
    } else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) { out.push(k); leaves(x, out); }
    return out;
  }

  it("the samples' names, document numbers, birth dates, phones and emails do not appear", async () => {
    for (const file of ["didit-decision-approved.json", "didit-decision-declined-aml.json", "didit-decision-in-review.json"]) {
      const text = await readFile(join(TEST_DATA, file), "utf8");
      const d = JSON.parse(text) as Record<string, unknown>;
      const personal = new Set<string>();
      const collect = (v: unknown, key = ""): void => {
        if (typeof v === "string" && (PII_FIELDS.includes(key) || key === "screened_data")) personal.add(v);
        else if (Array.isArray(v)) v.forEach((x) => collect(x, key));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) collect(x, key === "screened_data" ? "screened_data" : k);
      };
      collect(d);
      expect(personal.size).toBeGreaterThan(3);
      for (const output of ["configmap", "settings"]) {
        const { yaml } = convertDiditDecisionText(text, { subject: "bob", output }, file);
        for (const p of personal) expect(yaml, `${file} ${output} leaks ${p}`).not.toContain(p);
      }
    }
  });

  it("property: arbitrary personal values anywhere in the items never reach the output", async () => {
    const base = await sample("didit-decision-approved.json");
    const marker = "PII\u2063";
    const piiValue = fc.string({ unit: "binary", minLength: 0, maxLength: 20 }).map((s) => marker + s);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...PII_FIELDS), piiValue, { minKeys: 1 }),
        fc.record({ full_name: piiValue, date_of_birth: piiValue, nationality: piiValue, document_number: piiValue }),
        fc.constantFrom("configmap", "settings"),
        (fields, screened, output) => {
          const d = structuredClone(base) as Record<string, unknown>;
          for (const { field } of DIDIT_FEATURES) {
            d[field] = (d[field] as Array<Record<string, unknown>>).map((item) => ({ ...item, ...fields }));
          }
          (d.aml_screenings as Array<Record<string, unknown>>)[0]!.screened_data = screened;
          d.expected_details = screened;
          const { yaml } = convertDiditDecisionText(JSON.stringify(d), { subject: "bob", output });
          expect(yaml).not.toContain("PII");
          for (const s of leaves(parseYaml(yaml))) expect(s).not.toContain(marker);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------
describe("signals import command", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "idgov-signals-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const approvedText = () => readFile(join(TEST_DATA, "didit-decision-approved.json"), "utf8");

  it("prints a settings entry that round-trips through YAML", async () => {
    const { yaml, warnings } = convertDiditDecisionText(await approvedText(), {
      subject: "system:serviceaccount:ci:deployer",
      output: "settings",
    });
    expect(warnings).toEqual([]);
    const parsed = parseYaml(yaml) as { subjects: Record<string, SignalSet> };
    expect(Object.keys(parsed.subjects)).toEqual(["system:serviceaccount:ci:deployer"]);
    expect(parsed.subjects["system:serviceaccount:ci:deployer"]!.liveness).toEqual({
      status: "approved",
      verifiedAt: "2026-11-10T09:00:00Z",
      score: 95,
      method: "active",
    });
  });

  it("quotes YAML 1.1 look-alikes so kubectl keeps them as strings", async () => {
    const { yaml } = convertDiditDecisionText(await approvedText(), { subject: "yes" });
    expect(yaml).toContain("subject: \"yes\"");
    expect((parseYaml(yaml, { version: "1.1" }) as { data: { subject: unknown } }).data.subject).toBe("yes");
  });

  it("uses --namespace and --verified-at", async () => {
    const d = { session_id: "s-9", email_verifications: [{ status: "Approved" }] };
    const { yaml } = convertDiditDecisionText(JSON.stringify(d), {
      subject: "alice@example.com",
      namespace: "security",
      verifiedAt: "2026-11-10T10:00:00+01:00",
    });
    const cm = parseYaml(yaml) as { metadata: { namespace: string }; data: Record<string, string> };
    expect(cm.metadata.namespace).toBe("security");
    expect(cm.data.email).toBe("{\"status\":\"approved\",\"verifiedAt\":\"2026-11-10T09:00:00Z\"}");
  });

  it("reports errors on one line", async () => {
    const text = await approvedText();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect((e as Error).message).not.toContain("\n");
        return (e as Error).message;
      }
      throw new Error("expected an error");
    };
    expect(err(() => convertDiditDecisionText("{\"session_id\": x}", { subject: "a" }, "didit-decision.json"))).toMatch(
      /^didit-decision\.json: not valid JSON \(.+\)$/,
    );
    expect(err(() => convertDiditDecisionText("{}", { subject: "a" }, "f.json"))).toMatch(/^f\.json is not a Didit session decision: expected an object with session_id/);
    expect(err(() => convertDiditDecisionText(text, { subject: "a", output: "json" }))).toBe(
      "unknown --output \"json\": expected one of configmap, settings, fixture",
    );
    expect(err(() => convertDiditDecisionText(text, {}))).toBe(
      "missing --subject <username>: the Kubernetes username the signals belong to",
    );
    expect(err(() => convertDiditDecisionText(text, { subject: "  " }))).toBe("--subject must not be empty");
    expect(err(() => convertDiditDecisionText(text, { subject: "a", verifiedAt: "2026-11-10" }))).toBe(
      "--verified-at \"2026-11-10\" is not an RFC 3339 timestamp (e.g. 2026-11-10T09:00:00Z)",
    );
    expect(err(() => convertDiditDecisionText(text, { subject: "a", namespace: "-x" }))).toMatch(/^--namespace "-x" is not a valid namespace name/);
  });

  it("reads files, refusing missing ones and ones over 16 MiB", async () => {
    await expect(readDecisionFile(join(dir, "nope.json"))).rejects.toThrow(`${join(dir, "nope.json")}: no such file`);
    await expect(readDecisionFile(dir)).rejects.toThrow(`${dir}: not a regular file`);
    const big = join(dir, "big.json");
    await writeFile(big, "");
    await truncate(big, MAX_DECISION_BYTES + 1);
    await expect(readDecisionFile(big)).rejects.toThrow(`${big}: 16.0 MiB is too large for a session decision (limit 16 MiB)`);
    const ok = join(dir, "ok.json");
    await writeFile(ok, "\ufeff" + (await approvedText()));
    expect(convertDiditDecisionText(await readDecisionFile(ok), { subject: "a" }).yaml).toContain("kind: ConfigMap");
  });

  it("is registered as `signals import` and writes YAML to its stdout, warnings to its stderr", async () => {
    const out: string[] = [];
    const errs: string[] = [];
    const program = new Command("idgov").exitOverride();
    signalsCommand.register(program, { stdout: (s) => out.push(s), stderr: (s) => errs.push(s) });
    const d = join(dir, "warn.json");
    await writeFile(d, JSON.stringify({ session_id: "s", created_at: "2026-01-01T00:00:00Z", face_matches: [{ status: "Approved", score: "?" }] }));
    await program.parseAsync(["signals", "import", d, "--subject", "alice@example.com", "--output", "settings"], { from: "user" });
    await expect(
      program.parseAsync(["signals", "import", d, "--output", "settings"], { from: "user" }),
    ).rejects.toThrow("missing --subject <username>");
    expect(parseYaml(out.join(""))).toEqual({
      subjects: { "alice@example.com": { faceMatch: { status: "approved", verifiedAt: "2026-01-01T00:00:00Z" } } },
    });
    expect(errs.join("")).toBe(`warning: ${d}: face_matches[0]: score "?" is not a number; omitted\n`);
    const help = program.commands.find((c) => c.name() === "signals")!.commands.find((c) => c.name() === "import")!;
    expect(help.helpInformation()).toContain("--subject <username>");
  });

  it("--output fixture writes a host-capabilities fixture the built policy reads its signals from", async () => {
    const { yaml } = convertDiditDecisionText(await approvedText(), { subject: "alice@example.com", output: "fixture" }, "approved.json");
    const fixture = join(dir, "answers.yaml");
    await writeFile(fixture, yaml);
    const entries = parseYaml(yaml) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      namespace: "kubernetes",
      operation: "get_resource",
      request: { api_version: "v1", kind: "ConfigMap", namespace: "idgov-system", name: objectName("alice@example.com") },
      response: { kind: "ConfigMap", data: { subject: "alice@example.com" } },
    });
    const policy = await loadPolicy(join(ROOT, "policies/identity-assurance"));
    try {
      const request = await sample("exec-prod-alice-verified-claims.json");
      (request.userInfo as Record<string, unknown>).extra = {}; // no claims: the ConfigMap is the only source
      const settings = parseYaml(await readFile(join(TEST_DATA, "settings-cluster.yaml"), "utf8"));
      const { response } = await policy.validate(request, settings, { now: "2026-11-25T12:00:00Z", allowContextAware: true, hostCapabilities: fixture });
      expect(response.allowed).toBe(true);
      expect(response.auditAnnotations?.["idgov-signal-sources"]).toMatch(/=cluster/);
    } finally {
      await policy.close();
    }
  });
});
