/**
 * A user-facing error: the message says what went wrong and what to do about it.
 * The CLI prints `Error: <message>` on one line and exits 1; the library throws it.
 * Anything that is not an IdgovError reaching the CLI is a harness bug.
 */
export class IdgovError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IdgovError";
  }
}

/** One-line rendering of any thrown value (no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * One line for a `yaml` parse error. The library's message is "<what> at line L, column C:"
 * followed by an excerpt and a caret line; keep the reason and position, and quote the line
 * the caret points at, so the message stays useful once printed on one line.
 */
export function yamlErrorMessage(err: unknown): string {
  const lines = describeError(err).split("\n");
  const head = lines[0].replace(/:\s*$/, "");
  const caret = lines.findIndex((l, i) => i > 0 && /^\s*\^+\s*$/.test(l));
  const near = caret > 0 ? lines[caret - 1].trim() : "";
  if (near === "") return head;
  return `${head} (at ${JSON.stringify(near.length > 80 ? `${near.slice(0, 77)}...` : near)})`;
}
