/** An error the CLI reports in one line and exits with: 2 for bad input, 1 for a failed check. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
