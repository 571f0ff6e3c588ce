// Test-only module: `decide` (rules.ts) called directly, without the waPC ABI.
// Compiled with --bindings raw by decide.test.ts (assembly/__tests__/compile.ts),
// so arguments and results are strings; never loaded by Kubewarden.
import { parseJsonString, JsonValue } from "../../../assembly/json/value";
import { quote, stringArrayJson } from "../../../assembly/json/writer";
import { RequestFacts, Signal, SignalSet, signalFromRecord } from "../../../assembly/identity";
import { parseSettings } from "../settings";
import { decide } from "../rules";
import "../../../assembly/abi/abort";

function text(v: JsonValue | null): string { return v !== null && v.isString ? v.stringValue : ""; }

/**
 * `settings`: the policy's settings; `facts`: {operation, resource, namespace, username, groups};
 * `observations`: [{kind, source, record}] before merging; `sourceErrors`: one per line.
 * Returns the Decision as JSON, or "settings: <problems>".
 */
export function decideJson(settings: string, facts: string, observations: string, sourceErrors: string, now: i64): string {
  const parsed = parseSettings(parseJsonString(settings));
  if (!parsed.problems.ok) return "settings: " + parsed.problems.message();
  const f = parseJsonString(facts);
  const rf = new RequestFacts();
  rf.operation = text(f.get("operation"));
  rf.resource = text(f.get("resource"));
  rf.namespace = text(f.get("namespace"));
  rf.username = text(f.get("username"));
  const groups = f.get("groups");
  if (groups !== null) for (let i = 0; i < groups.items.length; i++) rf.groups.push(groups.items[i].stringValue);
  const list = parseJsonString(observations);
  const signals = new Array<Signal>();
  for (let i = 0; i < list.items.length; i++) {
    const o = list.items[i];
    signals.push(signalFromRecord(text(o.get("kind")), text(o.get("source")), o.get("record")!));
  }
  const errors = sourceErrors.length > 0 ? sourceErrors.split("\n") : new Array<string>();
  const d = decide(rf, SignalSet.merge(signals), errors, parsed.settings, now);
  return "{\"outcome\":" + quote(d.outcome) + ",\"rules\":" + stringArrayJson(d.rules) + ",\"failures\":" + stringArrayJson(d.failures)
    + ",\"warnings\":" + stringArrayJson(d.warnings) + ",\"used\":" + stringArrayJson(d.used) + ",\"causes\":" + d.causes.toString() + "}";
}

import { adviceFor } from "../../../assembly/identity";
/** The advice sentences for a set of CAUSE_* flags. */
export function advice(causes: i32): string { return adviceFor(causes); }
