// Module size: asc (binaryen's memory packing) emits one active data segment per
// static string or table, split around runs of zeros (a string's header is mostly
// zeros, its ASCII text half zeros), so a policy carries ~1,000 segments of ~6 bytes
// of framing each. Two neighbouring segments separated by fewer zero bytes than one
// segment's framing are cheaper as one: memory starts zeroed, so writing those zeros
// changes nothing the module sees. rbac-governance is within a few hundred bytes of
// the 64 KiB module budget; this gives every policy back ~2-3% of its data section.
import { readSections, readU32Leb, encodeU32Leb } from "../runtime/loading/wasm-binary.js";

const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;
const I32_CONST = 0x41;
const END = 0x0b;

interface Segment { offset: number; bytes: Uint8Array }

/** Bytes a flag-0 (active, memory 0, `i32.const offset`) segment takes in the data section. */
function framed(offset: number, length: number): number {
  return 1 + 1 + encodeI32Leb(offset).length + 1 + encodeU32Leb(length).length + length;
}

/**
 * The module with neighbouring active data segments merged wherever that makes it
 * smaller. Anything but plain active segments at constant offsets in ascending,
 * non-overlapping order (passive segments, another memory, computed offsets) leaves
 * the module as it is.
 */
export function mergeDataSegments(module: Uint8Array): Uint8Array {
  const sections = readSections(module);
  const data = sections.find((s) => s.id === SECTION_DATA);
  if (!data) return module;
  const segments: Segment[] = [];
  let pos = data.contentStart;
  const count = readU32Leb(module, pos);
  pos = count.next;
  for (let i = 0; i < count.value; i++) {
    if (module[pos] !== 0 || module[pos + 1] !== I32_CONST) return module;
    const offset = readU32Leb(module, pos + 2);
    // The immediate is a signed LEB: a negative offset (sign bit in its last byte) is not ours.
    if (module[offset.next] !== END || (module[offset.next - 1] & 0x40) !== 0) return module;
    const length = readU32Leb(module, offset.next + 1);
    const start = length.next;
    segments.push({ offset: offset.value, bytes: module.subarray(start, start + length.value) });
    pos = start + length.value;
  }
  if (pos !== data.end) return module;
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    if (segments[i].offset < prev.offset + prev.bytes.length) return module; // overlapping or out of order
  }
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (last) {
      const gap = s.offset - (last.offset + last.bytes.length);
      const joined = framed(last.offset, last.bytes.length + gap + s.bytes.length);
      if (joined <= framed(last.offset, last.bytes.length) + framed(s.offset, s.bytes.length)) {
        const bytes = new Uint8Array(last.bytes.length + gap + s.bytes.length); // the gap stays zero
        bytes.set(last.bytes, 0);
        bytes.set(s.bytes, last.bytes.length + gap);
        last.bytes = bytes;
        continue;
      }
    }
    merged.push({ offset: s.offset, bytes: s.bytes });
  }
  if (merged.length === segments.length) return module;
  const content: number[] = [...encodeU32Leb(merged.length)];
  const parts: Uint8Array[] = [];
  for (const s of merged) {
    parts.push(Uint8Array.from([...content, 0, I32_CONST, ...encodeI32Leb(s.offset), END, ...encodeU32Leb(s.bytes.length)]), s.bytes);
    content.length = 0;
  }
  const body = concat(parts);
  const out: Uint8Array[] = [];
  let copied = 0;
  for (const s of sections) {
    if (s.id === SECTION_DATA) {
      out.push(module.subarray(copied, s.start), Uint8Array.from([SECTION_DATA, ...encodeU32Leb(body.length)]), body);
      copied = s.end;
    } else if (s.id === SECTION_DATA_COUNT) {
      const countBytes = encodeU32Leb(merged.length);
      out.push(module.subarray(copied, s.start), Uint8Array.from([SECTION_DATA_COUNT, ...encodeU32Leb(countBytes.length), ...countBytes]));
      copied = s.end;
    }
  }
  out.push(module.subarray(copied));
  return concat(out);
}

/** Signed LEB128 of a non-negative i32 (an `i32.const` immediate). */
function encodeI32Leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v === 0 && (byte & 0x40) === 0) { out.push(byte); return out; }
    out.push(byte | 0x80);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
