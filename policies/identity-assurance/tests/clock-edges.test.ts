// Issue 21: clock and timestamp edges through the built module (library,
// snapshot instances). The documented boundaries (README "Freshness"):
// a signal verified exactly maxAge ago is fresh, 1 ms later it is stale; a
// verifiedAt up to FUTURE_SKEW_MS (5 min) ahead of the clock is clock skew,
// later is "in the future" and denies; unparsable times are malformed (deny),
// never fresh. RFC 3339: offsets, fractions and lowercase t/z are read;
// impossible dates and second 60 other than 23:59:60 UTC are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { loadPolicy, type Policy } from "../../../harness/dist/index.js";
import { FUTURE_SKEW_MS } from "../../../harness/dist/signals/vocabulary.js";
import { execRequest } from "../../../harness/test/helpers.js";

const dir = resolve(import.meta.dirname, "..");
const NOW = "2026-11-25T12:00:00Z";
const now = Date.parse(NOW);
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
let policy: Policy;
beforeAll(async () => { policy = await loadPolicy(dir); });
afterAll(async () => { await policy?.close(); });

const exec = execRequest("alice@example.com", { namespace: "prod" });
async function decideAt(verifiedAt: string, clock = NOW) {
  const settings = {
    rules: [{ name: "exec", match: { resources: ["pods/exec"] }, require: { signals: ["liveness"], maxAge: "30d" } }],
    subjects: { "alice@example.com": { liveness: { status: "approved", verifiedAt } } },
  };
  return (await policy.validate(exec as never, settings, { now: clock })).response;
}

describe("maxAge boundary", () => {
  it("exactly maxAge old is fresh; 1 ms past is stale", async () => {
    expect((await decideAt(iso(now - 30 * DAY))).allowed).toBe(true);
    const past = await decideAt(iso(now - 30 * DAY - 1));
    expect(past.allowed).toBe(false);
    expect(past.status?.message).toContain("liveness: stale since 2026-11-25T11:59:59Z (verified 2026-10-26T11:59:59Z, maxAge 30d)");
  });

  it("the same boundary through an offset and a fractional second", async () => {
    expect((await decideAt("2026-10-26T14:00:00+02:00")).allowed).toBe(true);
    expect((await decideAt("2026-10-26T13:59:59.999+02:00")).allowed).toBe(false);
    expect((await decideAt("2026-10-26T06:00:00.000-06:00")).allowed).toBe(true);
  });
});

describe("future timestamps", () => {
  it("up to the clock skew is accepted; 1 ms beyond is in the future (denied)", async () => {
    expect((await decideAt(iso(now + FUTURE_SKEW_MS))).allowed).toBe(true);
    const future = await decideAt(iso(now + FUTURE_SKEW_MS + 1));
    expect(future.allowed).toBe(false);
    expect(future.status?.message).toContain("is in the future");
    expect((await decideAt("2027-01-01T00:00:00Z")).allowed).toBe(false);
  });
});

describe("RFC 3339 forms", () => {
  it("reads lowercase t and z and a leap second at 23:59:60 UTC", async () => {
    expect((await decideAt("2026-11-20t10:00:00z")).allowed).toBe(true);
    expect((await decideAt("2026-06-30T23:59:60Z")).allowed).toBe(false); // a real leap-second form, but older than 30d: stale, not malformed
    expect((await decideAt("2026-06-30T23:59:60Z")).status?.message).toContain("stale since");
    expect((await decideAt("2026-11-24T23:59:60Z")).allowed).toBe(true);
    expect((await decideAt("2026-11-24T15:59:60-08:00")).allowed).toBe(true);
  });

  it.each([
    ["2026-02-30T00:00:00Z", "impossible date"],
    ["2026-11-24T12:34:60Z", "second 60 not at 23:59 UTC"],
    ["2026-11-24T24:00:00Z", "hour 24"],
    ["2026-11-24T12:00:00", "no offset"],
    ["2026-11-24", "date only"],
    ["2026-11-24 12:00:00Z", "space separator"],
    ["20261124T120000Z", "basic format"],
    ["2026-11-24T12:00:00+2:00", "short offset"],
    ["2026-11-24T12:00:00.Z", "empty fraction"],
    ["", "empty"],
  ])("%s (%s) is refused by validate_settings and denies as malformed, never fresh", async (time) => {
    const r = await decideAt(time);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(`verifiedAt ${JSON.stringify(time)} is not an RFC 3339 time`);
    const settings = await policy.validateSettings({ rules: [{ name: "exec", require: { signals: ["liveness"] } }], subjects: { a: { liveness: { status: "approved", verifiedAt: time } } } });
    expect(settings.valid).toBe(false);
    expect(settings.message).toContain(`verifiedAt ${JSON.stringify(time)} is not an RFC 3339 time`);
  });
});
