// Tamper-evident decision log: append-only JSON Lines, one record per decision, each record
// carrying the SHA-256 of the previous line, and every N records (and at shutdown) a
// checkpoint signed with Ed25519. The chain detects edits, deletions and insertions; the
// signed checkpoints detect a rewritten chain (re-signing needs the private key); the final
// shutdown checkpoint detects a truncated tail. A cut back to an earlier shutdown checkpoint
// of a previous run cannot be seen in the file alone: keep the last checkpoint elsewhere too.
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { IdgovError } from "../errors.js";

export const GENESIS_HASH = "0".repeat(64);
export const DEFAULT_CHECKPOINT_EVERY = 100;

/** What a decision record holds: no request bodies, no personal data beyond the username. */
export interface DecisionFields {
  uid: string;
  user?: string;
  operation?: string;
  resource?: { group?: string; version?: string; resource?: string; subResource?: string; namespace?: string; name?: string };
  policy_id: string;
  origin: string;
  mode: string;
  module_sha256: string[];
  policy_version?: string;
  allowed: boolean;
  code?: number;
  rule?: string;
  signal_sources?: string;
}

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The bytes a checkpoint signs: its position and the hash of everything before it. */
export function checkpointMessage(seq: number, prev: string, time: string, final: boolean): Buffer {
  return Buffer.from(`idgov-decision-log-checkpoint/v1\n${seq}\n${prev}\n${time}\n${final}`, "utf8");
}

/** sha256 of the public key's SPKI DER: names the key a checkpoint was signed with. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("hex");
}

function readKey(file: string, kind: "private" | "public"): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (e) {
    throw new IdgovError(`cannot read the ${kind} key ${file}: ${(e as Error).message}`);
  }
  let key: KeyObject;
  try {
    key = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (e) {
    throw new IdgovError(`${file} is not a PEM ${kind} key: ${(e as Error).message} (make one with: openssl genpkey -algorithm ed25519 -out key.pem)`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new IdgovError(`${file} is a ${key.asymmetricKeyType} key; the decision log needs an Ed25519 key`);
  return key;
}

export const readPrivateKey = (file: string) => readKey(file, "private");
export const readPublicKey = (file: string) => readKey(file, "public");

export class DecisionLog {
  private seq: number;
  private prev: string;
  private sinceCheckpoint = 0;
  private fd: number | undefined;
  private readonly keyId: string;

  private constructor(
    readonly file: string,
    private readonly key: KeyObject,
    private readonly every: number,
    state: { seq: number; prev: string },
  ) {
    this.seq = state.seq;
    this.prev = state.prev;
    this.keyId = keyId(key);
    this.fd = openSync(file, "a");
  }

  /** Opens `file` for appending, continuing its chain when it already has records. */
  static open(file: string, key: KeyObject, every = DEFAULT_CHECKPOINT_EVERY): DecisionLog {
    if (!Number.isInteger(every) || every <= 0) throw new IdgovError(`the checkpoint interval must be a positive whole number of records, got ${every}`);
    let state = { seq: 0, prev: GENESIS_HASH };
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      if (text.length > 0) {
        if (!text.endsWith("\n")) throw new IdgovError(`decision log ${file} ends in an incomplete line; run \`idgov log verify\` on it and start a new log`);
        const lines = text.slice(0, -1).split("\n");
        const last = lines[lines.length - 1];
        let seq: unknown;
        try {
          seq = (JSON.parse(last) as { seq?: unknown }).seq;
        } catch {
          seq = undefined;
        }
        if (seq !== lines.length) throw new IdgovError(`decision log ${file} does not end in a record numbered ${lines.length}; run \`idgov log verify\` on it and start a new log`);
        state = { seq: lines.length, prev: sha256Hex(last) };
      }
    }
    return new DecisionLog(file, key, every, state);
  }

  private append(record: Record<string, unknown>): void {
    if (this.fd === undefined) throw new Error("the decision log is closed");
    const line = JSON.stringify(record);
    writeSync(this.fd, `${line}\n`);
    this.prev = sha256Hex(line);
  }

  /** Appends one decision record (and a checkpoint after every N of them). */
  record(fields: DecisionFields, time = new Date()): void {
    this.seq++;
    this.append({ seq: this.seq, type: "decision", time: time.toISOString(), prev: this.prev, ...fields });
    if (++this.sinceCheckpoint >= this.every) this.checkpoint(false);
  }

  /** Appends a signed checkpoint over the chain so far and syncs the file. */
  checkpoint(final: boolean, time = new Date()): void {
    this.seq++;
    const t = time.toISOString();
    const signature = sign(null, checkpointMessage(this.seq, this.prev, t, final), this.key).toString("base64");
    this.append({ seq: this.seq, type: "checkpoint", time: t, prev: this.prev, final, key: this.keyId, signature });
    this.sinceCheckpoint = 0;
    if (this.fd !== undefined) fdatasyncSync(this.fd);
  }

  /** Writes the final (shutdown) checkpoint and closes the file. */
  close(): void {
    if (this.fd === undefined) return;
    this.checkpoint(true);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export type VerifyResult =
  | { ok: true; decisions: number; checkpoints: number }
  | { ok: false; line: number; problem: string };

/** Checks a whole log against the public key; reports the first broken line. */
export function verifyDecisionLog(text: string, publicKey: KeyObject): VerifyResult {
  const expectedKey = keyId(publicKey);
  if (text.length === 0) return { ok: false, line: 1, problem: "the log is empty: a log always ends with the server's shutdown checkpoint" };
  const complete = text.endsWith("\n");
  const lines = (complete ? text.slice(0, -1) : text).split("\n");
  let prev = GENESIS_HASH;
  let decisions = 0;
  let checkpoints = 0;
  let lastCheckpoint = 0;
  let lastFinal = false;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const line = lines[i];
    if (!complete && n === lines.length) return { ok: false, line: n, problem: "the last line is incomplete (the log was truncated mid-record)" };
    let rec: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(line);
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("not an object");
      rec = v as Record<string, unknown>;
    } catch {
      return { ok: false, line: n, problem: "not a JSON record (the line was modified)" };
    }
    if (rec.seq !== n) return { ok: false, line: n, problem: `record number ${JSON.stringify(rec.seq)} where ${n} was expected (a record was deleted, inserted or reordered)` };
    if (rec.prev !== prev) {
      return { ok: false, line: n, problem: n === 1 ? "the first record does not start the chain" : `does not chain to line ${n - 1} (line ${n - 1} was modified)` };
    }
    if (rec.type === "checkpoint") {
      if (rec.key !== expectedKey) return { ok: false, line: n, problem: `checkpoint signed with another key (key id ${String(rec.key)}, expected ${expectedKey})` };
      const okSig
        = typeof rec.signature === "string"
          && typeof rec.time === "string"
          && typeof rec.final === "boolean"
          && verify(null, checkpointMessage(n, prev, rec.time, rec.final), publicKey, Buffer.from(rec.signature, "base64"));
      if (!okSig) return { ok: false, line: n, problem: "checkpoint signature does not verify with the given public key (the log was rewritten or re-signed)" };
      checkpoints++;
      lastCheckpoint = n;
      lastFinal = rec.final as boolean;
    } else if (rec.type === "decision") decisions++;
    else return { ok: false, line: n, problem: `unknown record type ${JSON.stringify(rec.type)}` };
    prev = sha256Hex(line);
  }
  if (lastCheckpoint !== lines.length) {
    const unsigned = lines.length - lastCheckpoint;
    return {
      ok: false,
      line: lines.length,
      problem: `missing tail: ${unsigned} record(s) after ${lastCheckpoint === 0 ? "the start" : `the last checkpoint (line ${lastCheckpoint})`} are not signed (the log was truncated, or the server is still running or did not shut down)`,
    };
  }
  if (!lastFinal) {
    return { ok: false, line: lines.length, problem: "missing tail: the log ends at a periodic checkpoint, not at the shutdown checkpoint (records after it were cut)" };
  }
  return { ok: true, decisions, checkpoints };
}
