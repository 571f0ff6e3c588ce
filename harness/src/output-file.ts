// Files the CLI writes where the user asked (-o/--output, recorded sessions,
// suites updated in place): opened without following a symlink at the final
// path component (O_NOFOLLOW), so a link planted at that name, which the user
// did not name as the target, is never written through.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { IdgovError } from "./errors.js";

export function writeOutputFile(path: string, data: string | Uint8Array): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new IdgovError(`refusing to write ${path}: it is a symbolic link (remove it or give the file it points to)`);
    throw new IdgovError(`cannot write ${path}: ${(e as Error).message}`);
  }
  try {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}
