import { InputError } from "@idp-failover/runtime";

/** An error the CLI reports in one line and exits with: 2 for bad input, 1 for a failed check. */
export class CliError extends InputError {
  override name = "CliError";
}
