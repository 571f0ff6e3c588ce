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
