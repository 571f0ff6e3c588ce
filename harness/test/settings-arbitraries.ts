// fast-check arbitraries over the settings schemas (settings-schemas.ts): valid
// settings and their single mutations (wrong type, unknown key, out of range,
// required key removed), each mutation with the path the policy reports it at.
// Used by settings-schema.test.ts (validate_settings) and
// request-settings.test.ts (the lean request-time reading agrees with the strict one).
import fc from "fast-check";
import type { ObjectSchema, SettingSchema } from "./settings-schemas.js";

export const UNKNOWN_KEY = "zzUnknownSetting";
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Segment = string | number;

// --- valid settings from a schema -----------------------------------------

export function valid(schema: SettingSchema): fc.Arbitrary<Json> {
  switch (schema.type) {
    case "boolean": return fc.boolean();
    case "string": return fc.constantFrom(...schema.valid);
    case "integer": return fc.integer({ min: schema.min, max: Math.min(schema.max, 2 ** 31) });
    case "list": return fc.uniqueArray(fc.constantFrom(...schema.valid), { minLength: schema.minItems ?? 0, maxLength: 3 });
    case "map": return fc.dictionary(fc.constantFrom(...schema.keys), valid(schema.value), { minKeys: schema.minKeys ?? 0, maxKeys: 3 });
    case "objects": {
      const unique = schema.unique;
      return fc.array(validObject(schema.item), { minLength: schema.minItems ?? 0, maxLength: 3 })
        .map((items) => unique === undefined ? items : items.map((item, i) => ({ ...item, [unique]: `${String(item[unique])}${i}` })));
    }
    case "object": return validObject(schema);
  }
}

export function validObject(schema: ObjectSchema): fc.Arbitrary<{ [key: string]: Json }> {
  const members = Object.fromEntries(Object.entries(schema.members).map(([k, s]) => [k, valid(s)]));
  return fc.record(members, { requiredKeys: [...(schema.required ?? [])] }).chain((value) => {
    const v = { ...value } as { [key: string]: Json };
    for (const group of schema.exclusive ?? []) for (const k of group.slice(1)) if (group.some((g, i) => i === 0 && g in v) || group.slice(1, group.indexOf(k)).some((g) => g in v)) delete v[k];
    for (const k of Object.keys(v)) if (v[k] === undefined) delete v[k];
    schema.repair?.(v);
    const group = schema.atLeastOne;
    if (group !== undefined && !group.some((k) => k in v)) return valid(schema.members[group[0]]).map((m) => ({ ...v, [group[0]]: m }));
    return fc.constant(v);
  });
}

// --- single mutations -------------------------------------------------------

/** A place in a generated value: its path, its schema, and where the policy reports a problem there. */
export interface Site { path: Segment[]; generic: string; schema: SettingSchema; reportAt: Segment[]; inRecord: boolean }

const child = (generic: string, key: string) => generic ? `${generic}.${key}` : key;

export function sites(value: Json, schema: SettingSchema, path: Segment[] = [], recordAt: Segment[] | null = null, generic = ""): Site[] {
  const here: Site = { path, generic, schema, reportAt: recordAt ?? path, inRecord: recordAt !== null };
  const out = path.length > 0 ? [here] : [];
  if (value === null || typeof value !== "object") return out;
  if (schema.type === "object") {
    const at = schema.reportsAtObject ? (recordAt ?? path) : recordAt;
    for (const [k, s] of Object.entries(schema.members)) if (k in (value as object)) out.push(...sites((value as Record<string, Json>)[k], s, [...path, k], at, child(generic, k)));
  } else if (schema.type === "map") {
    for (const [k, v] of Object.entries(value as Record<string, Json>)) out.push(...sites(v, schema.value, [...path, k], recordAt, `${generic}.*`));
  } else if (schema.type === "objects") {
    (value as Json[]).forEach((v, i) => out.push(...sites(v, schema.item, [...path, i], recordAt, `${generic}[]`)));
  } else if (schema.type === "list") {
    (value as Json[]).forEach((_, i) => out.push({ path: [...path, i], schema: { type: "string", valid: schema.valid, invalid: schema.invalid }, reportAt: recordAt ?? [...path, i], inRecord: recordAt !== null, generic: `${generic}[]` }));
  }
  return out;
}

/** A JSON value of another type than the schema expects. */
export function wrongTypeFor(schema: SettingSchema): Json {
  switch (schema.type) {
    case "boolean": return "yes";
    case "string": return 42;
    case "integer": return "10";
    case "list": case "objects": return { not: "a list" };
    default: return ["not", "an object"];
  }
}

/** The policy's path syntax (assembly/settings/check.ts childPath/indexPath). */
export function formatPath(path: Segment[]): string {
  let out = "";
  for (const s of path) {
    if (typeof s === "number") out += `[${s}]`;
    else if (/^[A-Za-z0-9_]+$/.test(s)) out += out.length > 0 ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export interface Mutation { kind: string; path: Segment[]; value?: Json; remove?: boolean; reportAt: Segment[] }

export function mutationsOf(value: Json, schema: ObjectSchema): Mutation[] {
  const out: Mutation[] = [
    { kind: "unknown key", path: [UNKNOWN_KEY], value: true, reportAt: [UNKNOWN_KEY] },
    ...(schema.required ?? []).map((k): Mutation => ({ kind: "required key removed", path: [k], remove: true, reportAt: [k] })),
  ];
  for (const site of sites(value, schema)) {
    const s = site.schema;
    out.push({ kind: "wrong type", path: site.path, value: wrongTypeFor(s), reportAt: site.reportAt });
    if (s.type === "object" && !s.reportsAtObject && !site.inRecord) for (const k of s.required ?? []) out.push({ kind: "required key removed", path: [...site.path, k], remove: true, reportAt: [...site.path, k] });
    if (s.type === "object" && !site.inRecord) out.push({ kind: "unknown key", path: [...site.path, UNKNOWN_KEY], value: true, reportAt: s.reportsAtObject ? site.path : [...site.path, UNKNOWN_KEY] });
    if (s.type === "map" && s.closed) out.push({ kind: "unknown key", path: [...site.path, s.invalidKeys?.[0] ?? UNKNOWN_KEY], value: true, reportAt: [...site.path, s.invalidKeys?.[0] ?? UNKNOWN_KEY] });
    if (s.type === "map" && s.invalidKeys && !s.closed) for (const k of s.invalidKeys) out.push({ kind: "invalid key", path: [...site.path, k], value: valueFor(s.value), reportAt: site.inRecord ? site.reportAt : [...site.path, k] });
    if (s.type === "integer") for (const n of [s.min - 1, s.max + 1, s.min + 0.5]) out.push({ kind: "out of range", path: site.path, value: n, reportAt: site.reportAt });
    if (s.type === "string") for (const bad of s.invalid ?? []) out.push({ kind: "out of range", path: site.path, value: bad, reportAt: site.reportAt });
    if (s.type === "string" && !site.inRecord) out.push({ kind: "empty", path: site.path, value: "", reportAt: site.reportAt });
  }
  return out;
}

/** Some valid value of a schema (for a mutated key's value). */
export function valueFor(schema: SettingSchema): Json {
  return fc.sample(valid(schema), { numRuns: 1, seed: 1 })[0];
}

export function apply(value: Json, m: Mutation): Json {
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const s of m.path.slice(0, -1)) node = node[s] as Record<string | number, Json>;
  const last = m.path[m.path.length - 1];
  if (m.remove) delete node[last];
  else node[last] = m.value!;
  return copy as Json;
}
