// One logging primitive for both builds: waPC logs through `__console_log`,
// the WASI build writes to stderr (policy-server captures it as a warning).
import { consoleLog } from "./wapc";
import { writeStderr } from "./wasi";

export function logLine(message: string): void {
  if (isDefined(IDGOV_WASI)) writeStderr(message + "\n");
  else consoleLog(message);
}
