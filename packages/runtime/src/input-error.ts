/**
 * A problem with what the runtime was pointed at, said in one line for the operator: a flag, a file
 * or a directory (exit code 2), or a service that does not answer (exit code 1). The CLI prints the
 * message without a stack and exits with the code.
 */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
