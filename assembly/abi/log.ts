// One logging primitive for every build: waPC logs through `__console_log`,
// the WASI build writes to stderr (policy-server captures it as a warning),
// the component calls its host's `log`.
import { consoleLog } from "./wapc";
import { writeStderr } from "./wasi";
import { componentLog } from "./component";

export function logLine(message: string): void {
  if (isDefined(IDGOV_COMPONENT)) componentLog(message);
  else if (isDefined(IDGOV_WASI)) writeStderr(message + "\n");
  else consoleLog(message);
}
