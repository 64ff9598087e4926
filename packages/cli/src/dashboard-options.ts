import { type Command, InvalidArgumentError } from "commander";

/** `--no-dashboard` and `--dashboard-port`: how `drill` and `run` serve the local dashboard. */
export function withDashboardOptions(command: Command): Command {
  return command
    .option("--no-dashboard", "do not serve the local dashboard")
    .option(
      "--dashboard-port <port>",
      "serve the dashboard on this port (default: a random free one)",
      parsePort,
    );
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new InvalidArgumentError("a TCP port, 1 to 65535");
  return n;
}
