// The component build of a policy (wit/policy.wit, world `idgov:policy/policy`):
// the core module asc wrote for the "component" target, with its exports
// renamed to the WIT names, is embedded and wrapped by jco into
//   build/policy.component.wasm   a Wasm component (canonical ABI, utf16 strings)
//   build/js/                     `jco transpile`: policy.js (+ .d.ts, core module
//                                 inlined), host.js (the idgov:policy/host imports)
// jco bundles wasm-tools compiled to Wasm, so all of this runs offline.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renameExports } from "../runtime/loading/wasm-binary.js";

/** Core export names the generated entry uses → the names the canonical ABI expects. */
const WIT_EXPORT_NAMES: Record<string, string> = {
  validate_settings: "validate-settings",
  cabi_post_validate_settings: "cabi_post_validate-settings",
};

const WIT_INTERFACE = "idgov:policy/host@0.1.0";
/** The world every policy component implements: the toolchain's own copy (beside harness/), so scratch repos that link the harness build too. */
const WIT_FILE = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "wit", "policy.wit");

/** The generated per-policy entry for the "component" target. */
export function componentEntrySource(policy: string, sdkEntry: string, header: string): string {
  return header
    + `import { SETTINGS, validate as policyValidate } from "${policy}";\n`
    + `import { componentRealloc, componentPostReturn, componentValidate, componentValidateSettings } from "${sdkEntry}";\n`
    + "export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {\n"
    + "  return componentRealloc(oldPtr, oldSize, align, newSize);\n}\n"
    + "export function validate(requestPtr: usize, requestLen: usize, settingsPtr: usize, settingsLen: usize): usize {\n"
    + "  return componentValidate(requestPtr, requestLen, settingsPtr, settingsLen, SETTINGS, policyValidate);\n}\n"
    + "export function cabi_post_validate(_: usize): void { componentPostReturn(); }\n"
    + "export function validate_settings(settingsPtr: usize, settingsLen: usize): usize {\n"
    + "  return componentValidateSettings(settingsPtr, settingsLen, SETTINGS);\n}\n"
    + "export function cabi_post_validate_settings(_: usize): void { componentPostReturn(); }\n";
}

/** Problems with the core module before it is wrapped ([] = fine): it may import only the WIT host interface. */
export function checkComponentCore(bytes: Uint8Array): string[] {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const problems = WebAssembly.Module.imports(module)
    .filter((imp) => imp.module !== WIT_INTERFACE)
    .map((imp) => `imports ${imp.module}.${imp.name} (a component host only provides ${WIT_INTERFACE})`);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  for (const name of ["memory", "cabi_realloc", "validate", "validate_settings", "cabi_post_validate", "cabi_post_validate_settings"]) {
    if (!exports.has(name)) problems.push(`does not export ${name}`);
  }
  return problems;
}

/**
 * Wraps `coreFile` into build/policy.component.wasm and transpiles it into build/js/.
 * Returns the files written.
 */
export async function buildComponent(coreFile: string, buildDir: string): Promise<{ component: string; js: string; bytes: number }> {
  const jco = await import("@bytecodealliance/jco");
  const core = renameExports(readFileSync(coreFile), WIT_EXPORT_NAMES);
  const embedded = await jco.componentEmbed({
    binary: core,
    witSource: readFileSync(WIT_FILE, "utf8"),
    world: "policy",
    stringEncoding: "utf16",
  });
  const component = await jco.componentNew(embedded);
  const componentFile = join(buildDir, "policy.component.wasm");
  writeFileSync(componentFile, component);
  const jsDir = join(buildDir, "js");
  rmSync(jsDir, { recursive: true, force: true });
  mkdirSync(jsDir, { recursive: true });
  const { files } = await jco.transpile(component, {
    name: "policy",
    map: { [WIT_INTERFACE]: "./host.js", "idgov:policy/host": "./host.js" },
    quiet: true,
  });
  for (const [name, content] of Object.entries(files)) {
    const file = join(jsDir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  // The host imports: harness/dist/component/host.js (compiled from TS beside this file's tree).
  const hostDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "component");
  // Without their source-map comments: the maps stay in harness/dist.
  for (const name of ["host.js", "host.d.ts"]) {
    writeFileSync(join(jsDir, name), readFileSync(join(hostDir, name), "utf8").replace(/^\/\/# sourceMappingURL=.*$/m, ""));
  }
  return { component: componentFile, js: join(jsDir, "policy.js"), bytes: component.length };
}
