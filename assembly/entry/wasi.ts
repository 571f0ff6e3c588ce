// WASI-mode entry (`executionMode: wasi`, §4): argv[1] is `validate` or
// `validate-settings`, the input is stdin, the answer goes to stdout, and a
// failure exits non-zero with the reason on stderr (the host reports stderr).
import { commandLineArgs, readStdinToEnd, writeStdout, writeStderr, exitProcess } from "../abi/wasi";
import { runOperation } from "./dispatch";
import { SettingsSchema } from "../settings/schema";
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse } from "../protocol/response";

export function runWasiCommand<T>(schema: SettingsSchema<T>, validate: (vr: ValidationRequest, settings: T) => ValidationResponse): void {
  const args = commandLineArgs();
  const action = args.length > 1 ? args[1] : "";
  let operation = "";
  if (action == "validate") operation = "validate";
  else if (action == "validate-settings") operation = "validate_settings";
  else {
    writeStderr("unknown action \"" + action + "\": expected `validate` or `validate-settings`\n");
    exitProcess(2);
    return;
  }
  const input = readStdinToEnd();
  const result = runOperation<T>(operation, input[0], input[1], schema, validate);
  heap.free(input[0]);
  const response = result.bytes;
  if (response !== null) {
    writeStdout(response);
    return;
  }
  const error = result.error;
  writeStderr((error !== null ? error : "policy failed") + "\n");
  exitProcess(1);
}
