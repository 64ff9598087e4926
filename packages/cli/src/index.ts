export { CliError } from "./cli-error.js";
export { type CommandIo, processIo } from "./command-io.js";
export { loadConfig, readDocument } from "./load-config.js";
export { buildProgram } from "./program.js";
export { runIdpctl } from "./run-idpctl.js";
