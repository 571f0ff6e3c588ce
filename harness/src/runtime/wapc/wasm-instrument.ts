// The instrumented copy behind snapshot-restore evaluation (snapshot.ts). The module a
// policy ships (and policy-server loads) is never changed; the harness compiles this copy
// for itself. The copy differs from the original in three ways:
//   - every defined mutable global is also exported (`__idgov_g<index>`), so the host can
//     read and restore it;
//   - `memory.size` reads a global holding the *visible* size (`__idgov_vsize`), and
//     `memory.grow` calls a function that grows the visible size, growing the real memory
//     only when it is smaller and zeroing pages it exposes again: after a restore the guest
//     sees exactly the memory size, growth results and zero-filled new pages a fresh
//     instance would, although the real memory never shrinks;
//   - `__idgov_load_globals()` sets every mutable global and the visible size from 8-byte
//     slots at the start of memory (slot k: the k-th global of `globals`, then the visible
//     size), so a restore sets them all in one call instead of one JS setter each (the host
//     writes the slots, calls it, then overwrites the slots with the memory image);
//   - nothing else: function, global, type and table indices are unchanged (new items are
//     appended), so every other instruction, segment and export means what it meant.
// Modules using anything whose state the host cannot restore (table mutation, data.drop /
// elem.drop, atomics, GC, exceptions, imported or several memories, memory64, v128 or
// reference-typed mutable globals, instructions this decoder does not know) are refused
// with a reason; the harness then runs them on true fresh instances.
import { encodeU32Leb, readSections, readU32Leb, type Section } from "../loading/wasm-binary.js";

export const VSIZE_EXPORT = "__idgov_vsize";
export const GLOBAL_EXPORT_PREFIX = "__idgov_g";
export const LOAD_GLOBALS_EXPORT = "__idgov_load_globals";
/** Bytes of one slot read by `__idgov_load_globals`. */
export const GLOBAL_SLOT_BYTES = 8;

export type NumericType = "i32" | "i64" | "f32" | "f64";

export interface InstrumentedModule {
  bytes: Uint8Array;
  /** Export names of the original module's mutable globals, with their value types. */
  globals: { name: string; type: NumericType }[];
  /** Initial pages of the (single, defined) memory. */
  initialPages: number;
}

export class NotInstrumentable extends Error {}

const VALTYPES: Record<number, NumericType | "v128" | "ref"> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "ref", 0x6f: "ref" };

class Reader {
  constructor(readonly b: Uint8Array, public pos: number, readonly end: number) {}
  byte(): number {
    if (this.pos >= this.end) throw new NotInstrumentable("truncated section");
    return this.b[this.pos++];
  }

  u32(): number {
    const r = readU32Leb(this.b, this.pos);
    if (r.next > this.end) throw new NotInstrumentable("truncated section");
    this.pos = r.next;
    return r.value;
  }

  /** Any LEB128 (signed or unsigned, up to 10 bytes): skipped. */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new NotInstrumentable("malformed LEB128");
  }

  /** A signed LEB128 of at most 33 bits; returns the first byte (block types and heap types are told apart by it). */
  s33(): number {
    const first = this.byte();
    if (first & 0x80) this.skipLeb();
    return first;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new NotInstrumentable("truncated section");
    this.pos += n;
  }
}

/** A value type in a locals declaration or select: a single byte, or 0x63/0x64 with a heap type. */
function skipValType(r: Reader): number {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.s33();
  return t;
}

function skipMemarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) {
    if (r.u32() !== 0) throw new NotInstrumentable("uses several memories");
  }
  r.skipLeb(); // offset (u32, or u64 for memory64)
}

function memIndexZero(r: Reader): void {
  if (r.u32() !== 0) throw new NotInstrumentable("uses several memories");
}

/** One replacement inside a function body: bytes [start, end) become `with`. */
interface Patch {
  start: number;
  end: number;
  with: number[];
}

/**
 * Walks the instructions of one function body (after its locals), recording the
 * memory.size / memory.grow sites and refusing instructions the snapshot cannot restore.
 */
function scanBody(r: Reader, patches: Patch[], vsizeGlobal: number, vgrowFunc: number): void {
  while (r.pos < r.end) {
    const at = r.pos;
    const op = r.byte();
    if (op === 0x3f || op === 0x40) {
      memIndexZero(r);
      patches.push({ start: at, end: r.pos, with: op === 0x3f ? [0x23, ...encodeU32Leb(vsizeGlobal)] : [0x10, ...encodeU32Leb(vgrowFunc)] });
      continue;
    }
    if ((op >= 0x45 && op <= 0xc4) || op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || op === 0xd3 || op === 0xd4) continue;
    switch (op) {
      case 0x02: case 0x03: case 0x04: { // block, loop, if: block type
        const first = r.s33();
        if (first === 0x63 || first === 0x64) r.s33();
        continue;
      }
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x14: case 0x15: case 0xd2: case 0xd5: case 0xd6:
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
        r.u32();
        continue;
      case 0x0e: { // br_table
        const n = r.u32();
        for (let i = 0; i <= n; i++) r.u32();
        continue;
      }
      case 0x11: case 0x13: r.u32(); r.u32(); continue; // call_indirect: type, table
      case 0x1c: { const n = r.u32(); for (let i = 0; i < n; i++) skipValType(r); continue; } // select t*
      case 0x41: case 0x42: r.skipLeb(); continue;
      case 0x43: r.skip(4); continue;
      case 0x44: r.skip(8); continue;
      case 0xd0: r.s33(); continue; // ref.null heap type
      case 0x26: throw new NotInstrumentable("mutates a table (table.set)");
      case 0xfc: {
        const sub = r.u32();
        if (sub <= 7) continue; // saturating truncations
        if (sub === 8) { r.u32(); memIndexZero(r); continue; } // memory.init
        if (sub === 10) { memIndexZero(r); memIndexZero(r); continue; } // memory.copy
        if (sub === 11) { memIndexZero(r); continue; } // memory.fill
        if (sub === 16) { r.u32(); continue; } // table.size
        if (sub === 9) throw new NotInstrumentable("drops a data segment (data.drop)");
        if (sub === 13) throw new NotInstrumentable("drops an element segment (elem.drop)");
        throw new NotInstrumentable(`mutates a table (0xfc ${sub})`);
      }
      case 0xfd: {
        const sub = r.u32();
        if (sub <= 11 || sub === 92 || sub === 93) { skipMemarg(r); continue; }
        if (sub === 12 || sub === 13) { r.skip(16); continue; }
        if (sub >= 21 && sub <= 34) { r.skip(1); continue; }
        if (sub >= 84 && sub <= 91) { skipMemarg(r); r.skip(1); continue; }
        continue; // every other SIMD instruction has no immediate
      }
      default:
        if (op >= 0x28 && op <= 0x3e) { skipMemarg(r); continue; }
        throw new NotInstrumentable(`uses instruction 0x${op.toString(16)} (${op === 0xfe ? "atomics" : op === 0xfb ? "GC" : op >= 0x06 && op <= 0x1f ? "exception handling" : "unknown"})`);
    }
  }
}

/** Skips a constant expression (global initialisers): the same decoder, no patches allowed. */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x42) r.skipLeb();
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0x23 || op === 0xd2) r.u32();
    else if (op === 0xd0) r.s33();
    else if (op === 0xfd) { if (r.u32() !== 12) throw new NotInstrumentable("unsupported constant expression"); r.skip(16); } else if (op >= 0x6a && op <= 0x7e) continue; // extended-const i32/i64 add/sub/mul
    else throw new NotInstrumentable("unsupported constant expression");
  }
}

function section(id: number, content: number[] | Uint8Array): Uint8Array {
  const body = content instanceof Uint8Array ? content : Uint8Array.from(content);
  const header = [id, ...encodeU32Leb(body.length)];
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/** Count + the bytes after it of a vector section, so new entries can be appended. */
function vectorBody(bytes: Uint8Array, s: Section | undefined): { count: number; rest: Uint8Array } {
  if (!s) return { count: 0, rest: new Uint8Array(0) };
  const c = readU32Leb(bytes, s.contentStart);
  return { count: c.value, rest: bytes.subarray(c.next, s.end) };
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const nameBytes = (s: string) => [...encodeU32Leb(utf8.encode(s).length), ...utf8.encode(s)];

/**
 * Builds the instrumented copy of a (memory-limited) module. Throws NotInstrumentable with
 * the reason when the module uses something a snapshot could not restore.
 */
export function instrumentForSnapshot(bytes: Uint8Array): InstrumentedModule {
  const sections = readSections(bytes);
  const find = (id: number) => sections.find((s) => s.id === id);
  if (sections.some((s) => s.id === 13)) throw new NotInstrumentable("uses exception tags");

  // Imports: count functions and globals (new ones are appended after them); no imported memory.
  let importedFuncs = 0;
  let importedGlobals = 0;
  const imp = find(2);
  if (imp) {
    const r = new Reader(bytes, imp.contentStart, imp.end);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      r.skip(r.u32());
      r.skip(r.u32());
      const kind = r.byte();
      if (kind === 0x00) { r.u32(); importedFuncs++; } else if (kind === 0x01) { skipValType(r); const flags = r.byte(); r.u32(); if (flags & 1) r.u32(); } else if (kind === 0x02) throw new NotInstrumentable("imports its memory");
      else if (kind === 0x03) { skipValType(r); r.byte(); importedGlobals++; } else throw new NotInstrumentable("imports a tag");
    }
  }

  // Exactly one defined 32-bit memory.
  const memSection = find(5);
  if (!memSection) throw new NotInstrumentable("defines no memory");
  const mr = new Reader(bytes, memSection.contentStart, memSection.end);
  if (mr.u32() !== 1) throw new NotInstrumentable("defines several memories");
  const memFlags = mr.byte();
  if (memFlags & 0x06) throw new NotInstrumentable("uses a shared or 64-bit memory");
  const initialPages = mr.u32();

  // Types: only function types (appending one more keeps every index).
  const typeSection = find(1);
  const types = vectorBody(bytes, typeSection);
  {
    const r = new Reader(bytes, typeSection ? typeSection.contentStart : 0, typeSection ? typeSection.end : 0);
    if (typeSection) r.u32();
    for (let i = 0; i < types.count; i++) {
      if (r.byte() !== 0x60) throw new NotInstrumentable("uses GC type definitions");
      for (let k = 0; k < 2; k++) { const n = r.u32(); for (let j = 0; j < n; j++) skipValType(r); }
    }
  }
  const vgrowType = types.count;
  const loadGlobalsType = types.count + 1;

  // Globals: which defined ones are mutable, and of which type.
  const globalSection = find(6);
  const globals = vectorBody(bytes, globalSection);
  const mutable: { index: number; type: NumericType }[] = [];
  if (globalSection) {
    const r = new Reader(bytes, globalSection.contentStart, globalSection.end);
    r.u32();
    for (let i = 0; i < globals.count; i++) {
      const t = skipValType(r);
      const isMutable = r.byte() === 1;
      skipConstExpr(r);
      if (!isMutable) continue;
      const type = VALTYPES[t];
      if (type !== "i32" && type !== "i64" && type !== "f32" && type !== "f64") throw new NotInstrumentable("has a mutable global the host cannot read or write (v128 or reference)");
      mutable.push({ index: importedGlobals + i, type });
    }
  }
  const vsizeGlobal = importedGlobals + globals.count;

  // Functions: the new one is appended after the defined ones.
  const funcSection = find(3);
  const funcs = vectorBody(bytes, funcSection);
  const vgrowFunc = importedFuncs + funcs.count;
  const loadGlobalsFunc = vgrowFunc + 1;

  // Code: patch memory.size / memory.grow, refuse what cannot be restored.
  const codeSection = find(10);
  const bodies: Uint8Array[] = [];
  if (codeSection) {
    const r = new Reader(bytes, codeSection.contentStart, codeSection.end);
    const n = r.u32();
    if (n !== funcs.count) throw new NotInstrumentable("function and code sections disagree");
    for (let i = 0; i < n; i++) {
      const size = r.u32();
      const bodyStart = r.pos;
      const br = new Reader(bytes, bodyStart, bodyStart + size);
      const groups = br.u32();
      for (let g = 0; g < groups; g++) { br.u32(); skipValType(br); }
      const patches: Patch[] = [];
      scanBody(br, patches, vsizeGlobal, vgrowFunc);
      r.skip(size);
      if (patches.length === 0) {
        bodies.push(concat([encodeU32Leb(size), bytes.subarray(bodyStart, bodyStart + size)]));
        continue;
      }
      const parts: (Uint8Array | number[])[] = [];
      let at = bodyStart;
      for (const p of patches) {
        parts.push(bytes.subarray(at, p.start), p.with);
        at = p.end;
      }
      parts.push(bytes.subarray(at, bodyStart + size));
      const body = concat(parts);
      bodies.push(concat([encodeU32Leb(body.length), body]));
    }
  }

  // vgrow(delta) -> old visible size or -1, as memory.grow on a fresh instance would answer.
  const L = { d: 0, old: 1, new: 2, real: 3, top: 4 };
  const lg = (i: number) => [0x20, i];
  const ls = (i: number) => [0x21, i];
  const vgrow = [
    1,
    4,
    0x7f, // 4 locals of i32
    0x23,
    ...encodeU32Leb(vsizeGlobal),
    ...ls(L.old),
    ...lg(L.d),
    0x41,
    ...[0x80, 0x80, 0x04],
    0x4b,
    0x04,
    0x40,
    0x41,
    0x7f,
    0x0f,
    0x0b, // d > 65536 → -1
    ...lg(L.old),
    ...lg(L.d),
    0x6a,
    ...ls(L.new),
    0x3f,
    0x00,
    ...ls(L.real),
    ...lg(L.new),
    ...lg(L.real),
    0x4b,
    0x04,
    0x40, // new > real: grow the real memory
    ...lg(L.new),
    ...lg(L.real),
    0x6b,
    0x40,
    0x00,
    0x41,
    0x7f,
    0x46,
    0x04,
    0x40,
    0x41,
    0x7f,
    0x0f,
    0x0b,
    0x0b,
    ...lg(L.new),
    ...lg(L.real),
    ...lg(L.new),
    ...lg(L.real),
    0x49,
    0x1b,
    ...ls(L.top), // top = min(new, real)
    ...lg(L.top),
    ...lg(L.old),
    0x4b,
    0x04,
    0x40, // pages [old, top) were exposed before: zero them
    ...lg(L.old),
    0x41,
    0x10,
    0x74,
    0x41,
    0x00,
    ...lg(L.top),
    ...lg(L.old),
    0x6b,
    0x41,
    0x10,
    0x74,
    0xfc,
    0x0b,
    0x00,
    0x0b,
    ...lg(L.new),
    0x24,
    ...encodeU32Leb(vsizeGlobal),
    ...lg(L.old),
    0x0b,
  ];
  bodies.push(concat([encodeU32Leb(vgrow.length), vgrow]));

  // load_globals(): global k = the value in slot k (little-endian, as the host writes it).
  const LOADS: Record<NumericType, number[]> = { i32: [0x28, 2], i64: [0x29, 3], f32: [0x2a, 2], f64: [0x2b, 3] };
  const slots: { index: number; type: NumericType }[] = [...mutable, { index: vsizeGlobal, type: "i32" }];
  const loadGlobals = [
    0, // no locals
    ...slots.flatMap((g, k) => [0x41, 0x00, ...LOADS[g.type], ...encodeU32Leb(k * GLOBAL_SLOT_BYTES), 0x24, ...encodeU32Leb(g.index)]),
    0x0b,
  ];
  bodies.push(concat([encodeU32Leb(loadGlobals.length), loadGlobals]));

  // Exports: the original ones, then the mutable globals and the visible size.
  const exportSection = find(7);
  const exportsBody = vectorBody(bytes, exportSection);
  const added: number[][] = mutable.map((g) => [...nameBytes(`${GLOBAL_EXPORT_PREFIX}${g.index}`), 0x03, ...encodeU32Leb(g.index)]);
  added.push([...nameBytes(VSIZE_EXPORT), 0x03, ...encodeU32Leb(vsizeGlobal)]);
  added.push([...nameBytes(LOAD_GLOBALS_EXPORT), 0x00, ...encodeU32Leb(loadGlobalsFunc)]);

  const replaced = new Map<number, Uint8Array>([
    [1, section(1, concat([encodeU32Leb(types.count + 2), types.rest, [0x60, 1, 0x7f, 1, 0x7f], [0x60, 0, 0]]))],
    [3, section(3, concat([encodeU32Leb(funcs.count + 2), funcs.rest, encodeU32Leb(vgrowType), encodeU32Leb(loadGlobalsType)]))],
    [6, section(6, concat([encodeU32Leb(globals.count + 1), globals.rest, [0x7f, 0x01, 0x41, ...encodeS32Leb(initialPages), 0x0b]]))],
    [7, section(7, concat([encodeU32Leb(exportsBody.count + added.length), exportsBody.rest, ...added.map((a) => Uint8Array.from(a))]))],
    [10, section(10, concat([encodeU32Leb(bodies.length), ...bodies]))],
  ]);
  // Sections in the canonical order; the ones the original lacks are inserted where they belong.
  const ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  const emitted = new Set<number>();
  const emitMissingBefore = (id: number) => {
    for (const want of ORDER) {
      if (want === id) break;
      if (!emitted.has(want) && replaced.has(want) && !find(want)) {
        out.push(replaced.get(want)!);
        emitted.add(want);
      }
    }
  };
  for (const s of sections) {
    if (s.id !== 0) emitMissingBefore(s.id);
    if (replaced.has(s.id)) out.push(replaced.get(s.id)!);
    else out.push(bytes.subarray(s.start, s.end));
    emitted.add(s.id);
  }
  emitMissingBefore(-1);
  return {
    bytes: concat(out),
    globals: mutable.map((g) => ({ name: `${GLOBAL_EXPORT_PREFIX}${g.index}`, type: g.type })),
    initialPages,
  };
}

function encodeS32Leb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}
