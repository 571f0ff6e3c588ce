// Custom abort (wired with `--use abort=assembly/abi/abort/idgovAbort`), so no
// build imports `env.abort`, which policy-server cannot link. The compiler
// still emits `unreachable` after this returns, and the trap text replaces any
// guest error, so the only way to keep the message is to log it first.
import { logLine } from "./log";

export function idgovAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  logLine(text);
}
