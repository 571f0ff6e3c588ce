// Load-time checks every build must pass: Kubewarden links only wapc.* and
// wasi_snapshot_preview1.* for waPC modules (plus host.call in WASI mode), and
// a start section would run before policy-server sets its epoch deadline.

/** Does the binary contain a start section (id 8)? */
export function hasStartSection(bytes: Uint8Array): boolean {
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++];
    let size = 0, shift = 0, b: number;
    do { b = bytes[p++]; size |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    if (id === 8) return true;
    p += size >>> 0;
  }
  return false;
}

/** Problems that would stop Kubewarden from loading the module ([] = fine). */
export function checkModuleImports(bytes: Uint8Array, mode: "kubewarden-wapc" | "wasi"): string[] {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const problems: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ok = imp.module === "wasi_snapshot_preview1" || (mode === "kubewarden-wapc" ? imp.module === "wapc" : imp.module === "host" && imp.name === "call");
    if (!ok) problems.push(`imports ${imp.module}.${imp.name}`);
  }
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (mode === "kubewarden-wapc" && !exports.includes("__guest_call")) problems.push("does not export __guest_call");
  if (mode === "wasi" && !exports.includes("_start")) problems.push("does not export _start");
  if (!exports.includes("memory")) problems.push("does not export memory");
  if (hasStartSection(bytes)) problems.push("has a start section (build with --exportStart)");
  return problems;
}
