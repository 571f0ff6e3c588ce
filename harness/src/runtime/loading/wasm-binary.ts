// Minimal WebAssembly binary reader/writer: enough to find sections and to rewrite the
// memory section's maximum (the memory limit), without compiling anything.
import { IdgovError } from "../../errors.js";

export const WASM_PAGE_BYTES = 65536;
const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const SECTION_MEMORY = 5;

export interface Section {
  id: number;
  /** offset of the section id byte */
  start: number;
  /** offset of the first content byte */
  contentStart: number;
  /** offset one past the last content byte */
  end: number;
}

export interface MemoryLimits {
  min: number;
  max?: number;
  shared: boolean;
  memory64: boolean;
}

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

export function readU32Leb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let result = 0;
  let shift = 0;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new IdgovError(`truncated WebAssembly module (LEB128 at byte ${offset})`);
    const b = bytes[pos++];
    if (shift < 32) result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
    if (shift > 63) throw new IdgovError(`malformed LEB128 at byte ${offset} of the WebAssembly module`);
  }
  return { value: result, next: pos };
}

export function encodeU32Leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

export function readSections(bytes: Uint8Array): Section[] {
  if (!isWasm(bytes)) throw new IdgovError("not a WebAssembly module (the file does not start with \\0asm)");
  const sections: Section[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const size = readU32Leb(bytes, pos);
    const contentStart = size.next;
    const end = contentStart + size.value;
    if (end > bytes.length) throw new IdgovError(`truncated WebAssembly module (section ${id} at byte ${start} runs past the end)`);
    sections.push({ id, start, contentStart, end });
    pos = end;
  }
  return sections;
}

function readLimits(bytes: Uint8Array, offset: number): { limits: MemoryLimits; next: number } {
  const flags = bytes[offset];
  if (flags > 0x07) throw new IdgovError(`unsupported memory limits flags 0x${flags.toString(16)} in the memory section`);
  const hasMax = (flags & 0x01) !== 0;
  const shared = (flags & 0x02) !== 0;
  const memory64 = (flags & 0x04) !== 0;
  const min = readU32Leb(bytes, offset + 1);
  let next = min.next;
  let max: number | undefined;
  if (hasMax) {
    const m = readU32Leb(bytes, next);
    max = m.value;
    next = m.next;
  }
  return { limits: { min: min.value, max, shared, memory64 }, next };
}

function encodeLimits(l: MemoryLimits): number[] {
  let flags = 0;
  if (l.max !== undefined) flags |= 0x01;
  if (l.shared) flags |= 0x02;
  if (l.memory64) flags |= 0x04;
  const out = [flags, ...encodeU32Leb(l.min)];
  if (l.max !== undefined) out.push(...encodeU32Leb(l.max));
  return out;
}

/** Memories defined (not imported) by the module, from its memory section. */
export function readMemories(bytes: Uint8Array): MemoryLimits[] {
  const section = readSections(bytes).find((s) => s.id === SECTION_MEMORY);
  if (!section) return [];
  const count = readU32Leb(bytes, section.contentStart);
  const out: MemoryLimits[] = [];
  let pos = count.next;
  for (let i = 0; i < count.value; i++) {
    const r = readLimits(bytes, pos);
    out.push(r.limits);
    pos = r.next;
  }
  return out;
}

/**
 * Returns a copy of `bytes` whose defined memories have `max <= maxPages`, so that
 * `memory.grow` beyond the limit fails inside the guest. Throws when a memory's
 * initial size is already above the limit.
 */
export function limitMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const sections = readSections(bytes);
  const section = sections.find((s) => s.id === SECTION_MEMORY);
  if (!section) return bytes;
  const count = readU32Leb(bytes, section.contentStart);
  let pos = count.next;
  const content: number[] = [...encodeU32Leb(count.value)];
  for (let i = 0; i < count.value; i++) {
    const r = readLimits(bytes, pos);
    pos = r.next;
    const l = r.limits;
    if (l.min > maxPages) {
      throw new IdgovError(
        `the module's memory starts at ${pagesToMiB(l.min)} MiB (${l.min} pages), above the memory limit of `
        + `${pagesToMiB(maxPages)} MiB; raise the limit (--memory-limit / memoryLimitMiB)`,
      );
    }
    const max = l.max === undefined ? maxPages : Math.min(l.max, maxPages);
    content.push(...encodeLimits({ ...l, max }));
  }
  if (pos !== section.end) throw new IdgovError("malformed memory section in the WebAssembly module");
  return replaceSection(bytes, section, content);
}

/** A copy of `bytes` with `section`'s content replaced by `content`. */
function replaceSection(bytes: Uint8Array, section: Section, content: number[]): Uint8Array {
  const header = [section.id, ...encodeU32Leb(content.length)];
  const out = new Uint8Array(bytes.length - (section.end - section.start) + header.length + content.length);
  out.set(bytes.subarray(0, section.start), 0);
  out.set(header, section.start);
  out.set(content, section.start + header.length);
  out.set(bytes.subarray(section.end), section.start + header.length + content.length);
  return out;
}

export function pagesToMiB(pages: number): number {
  return (pages * WASM_PAGE_BYTES) / (1024 * 1024);
}

export function mibToPages(mib: number): number {
  return Math.floor((mib * 1024 * 1024) / WASM_PAGE_BYTES);
}

/** Appends a custom section (as `kwctl annotate` does for `io.kubewarden.metadata`). */
export function appendCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...encodeU32Leb(nameBytes.length), ...nameBytes];
  const header = [0x00, ...encodeU32Leb(body.length + payload.length), ...body];
  const out = new Uint8Array(bytes.length + header.length + payload.length);
  out.set(bytes, 0);
  out.set(header, bytes.length);
  out.set(payload, bytes.length + header.length);
  return out;
}

const SECTION_EXPORT = 7;

/**
 * Returns a copy of `bytes` with exports renamed (`renames[old] = new`). The component
 * build needs export names such as `validate-settings` that no AssemblyScript identifier can spell.
 */
export function renameExports(bytes: Uint8Array, renames: Record<string, string>): Uint8Array {
  const section = readSections(bytes).find((s) => s.id === SECTION_EXPORT);
  if (!section) return bytes;
  const decoder = new TextDecoder(), encoder = new TextEncoder();
  const count = readU32Leb(bytes, section.contentStart);
  let pos = count.next;
  const content: number[] = [...encodeU32Leb(count.value)];
  for (let i = 0; i < count.value; i++) {
    const length = readU32Leb(bytes, pos);
    const name = decoder.decode(bytes.subarray(length.next, length.next + length.value));
    pos = length.next + length.value;
    const kind = bytes[pos++];
    const index = readU32Leb(bytes, pos);
    pos = index.next;
    const newName = encoder.encode(Object.hasOwn(renames, name) ? renames[name] : name);
    content.push(...encodeU32Leb(newName.length), ...newName, kind, ...encodeU32Leb(index.value));
  }
  if (pos !== section.end) throw new IdgovError("malformed export section in the WebAssembly module");
  return replaceSection(bytes, section, content);
}
