// The decision log: a hash chain with Ed25519-signed checkpoints. Every tampering case must be
// found by `idgov log verify` (exit 1, naming the line); an intact log verifies (exit 0).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, tmpFile } from "./helpers.js";
import { DecisionLog, verifyDecisionLog, sha256Hex, checkpointMessage } from "../dist/serve/decision-log.js";
import { sign } from "node:crypto";

const keys = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

function decision(i: number) {
  return { uid: `uid-${i}`, user: "alice@example.com", operation: "CREATE", resource: { group: "", version: "v1", resource: "pods", namespace: "prod", name: `p${i}` }, policy_id: "ia", origin: "validate", mode: "protect", module_sha256: ["ab".repeat(32)], policy_version: "0.1.0", allowed: i % 3 !== 0, rule: "prod-pods" };
}

/** A closed log of `n` decisions with a checkpoint every 4 records. */
function writeLog(n: number, key: KeyObject = keys.privateKey): string {
  const file = tmpFile("decisions.jsonl", "");
  const log = DecisionLog.open(file, key, 4);
  for (let i = 1; i <= n; i++) log.record(decision(i));
  log.close();
  return file;
}

const pemFile = (k: KeyObject) => tmpFile("pub.pem", k.export({ type: "spki", format: "pem" }) as string);
const lines = (file: string) => readFileSync(file, "utf8").slice(0, -1).split("\n");
const save = (file: string, ls: string[]) => writeFileSync(file, `${ls.join("\n")}\n`);

function verifyCli(file: string, pub = pemFile(keys.publicKey)) {
  const r = spawnSync(process.execPath, [BIN, "log", "verify", file, "--public-key", pub], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("decision log", () => {
  it("an intact log verifies: exit 0 with the record count", () => {
    const file = writeLog(10);
    expect(lines(file).map((l) => JSON.parse(l).type)).toEqual([
      "decision",
      "decision",
      "decision",
      "decision",
      "checkpoint",
      "decision",
      "decision",
      "decision",
      "decision",
      "checkpoint",
      "decision",
      "decision",
      "checkpoint",
    ]);
    const r = verifyCli(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/intact, 10 decision record\(s\), 3 signed checkpoint\(s\)/);
  });

  it("continues the chain when the server restarts on the same file", () => {
    const file = writeLog(3);
    const again = DecisionLog.open(file, keys.privateKey, 4);
    again.record(decision(4));
    again.close();
    expect(verifyDecisionLog(readFileSync(file, "utf8"), keys.publicKey)).toEqual({ ok: true, decisions: 4, checkpoints: 2 });
  });

  it("holds no request bodies: only the listed facts and the username", () => {
    const rec = JSON.parse(lines(writeLog(1))[0]);
    expect(Object.keys(rec).sort()).toEqual(["allowed", "mode", "module_sha256", "operation", "origin", "policy_id", "policy_version", "prev", "resource", "rule", "seq", "time", "type", "uid", "user"]);
  });

  it("detects an edited record", () => {
    const file = writeLog(10);
    const ls = lines(file);
    const edited = ls[6].replace("\"allowed\":false", "\"allowed\":true");
    expect(edited).not.toBe(ls[6]);
    ls[6] = edited;
    save(file, ls);
    const r = verifyCli(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 8: does not chain to line 7 \(line 7 was modified\)/);
  });

  it("detects an edited last record before the final checkpoint", () => {
    const file = writeLog(2);
    const ls = lines(file);
    ls[1] = ls[1].replace("uid-2", "uid-X");
    save(file, ls);
    expect(verifyCli(file).stderr).toMatch(/line 3: does not chain to line 2/);
  });

  it("detects a deleted record", () => {
    const file = writeLog(10);
    const ls = lines(file);
    ls.splice(2, 1);
    save(file, ls);
    const r = verifyCli(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 3: record number 4 where 3 was expected \(a record was deleted, inserted or reordered\)/);
  });

  it("detects a truncated tail, at a record, at a periodic checkpoint and mid-line", () => {
    const file = writeLog(10);
    const ls = lines(file);
    save(file, ls.slice(0, 7));
    expect(verifyCli(file)).toMatchObject({ code: 1 });
    expect(verifyCli(file).stderr).toMatch(/line 7: missing tail: 2 record\(s\) after the last checkpoint \(line 5\) are not signed/);
    save(file, ls.slice(0, 10));
    expect(verifyCli(file).stderr).toMatch(/line 10: missing tail: the log ends at a periodic checkpoint, not at the shutdown checkpoint/);
    writeFileSync(file, `${ls.slice(0, 3).join("\n")}\n${ls[3].slice(0, 20)}`);
    expect(verifyCli(file).stderr).toMatch(/line 4: the last line is incomplete/);
    writeFileSync(file, "");
    expect(verifyCli(file)).toMatchObject({ code: 1 });
  });

  it("detects a log rewritten and re-signed with another key", () => {
    // The attacker edits a record, recomputes the whole chain and signs every checkpoint again
    // with their own key (even claiming the real key's id).
    const file = writeLog(10);
    const realKeyId = JSON.parse(lines(file)[4]).key;
    const forged: string[] = [];
    let prev = "0".repeat(64);
    for (const [i, line] of lines(file).entries()) {
      const rec = JSON.parse(line);
      rec.prev = prev;
      if (rec.type === "decision" && rec.seq === 2) rec.allowed = !rec.allowed;
      if (rec.type === "checkpoint") rec.signature = sign(null, checkpointMessage(i + 1, prev, rec.time, rec.final), other.privateKey).toString("base64");
      const text = JSON.stringify(rec);
      forged.push(text);
      prev = sha256Hex(text);
    }
    save(file, forged);
    const r = verifyCli(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 5: checkpoint signature does not verify with the given public key/);
    expect(JSON.parse(forged[4]).key).toBe(realKeyId);
    // and a log honestly signed with another key is refused for this public key
    const theirs = writeLog(3, other.privateKey);
    expect(verifyCli(theirs).stderr).toMatch(/line 4: checkpoint signed with another key/);
    expect(verifyCli(theirs, pemFile(other.publicKey)).code).toBe(0);
  });

  it("refuses a non-Ed25519 key with a one-line error", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const r = verifyCli(writeLog(1), pemFile(rsa.publicKey));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .* is a rsa key; the decision log needs an Ed25519 key\n$/);
    expect(path.isAbsolute(BIN)).toBe(true);
  });
});
