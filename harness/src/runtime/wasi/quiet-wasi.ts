// node:wasi prints "ExperimentalWarning: WASI is an experimental feature..." when it is
// first loaded. That line is noise on idgov's stderr (which carries policy logs), so it
// is filtered; every other warning still reaches Node's usual handlers.
let installed = false;

export function suppressWasiExperimentalWarning(): void {
  if (installed) return;
  installed = true;
  const previous = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    if (warning.name === "ExperimentalWarning" && /\bWASI\b/.test(warning.message)) return;
    for (const listener of previous) listener.call(process, warning);
  });
}
