export { CliError } from "./cli-error.js";
export { loadConfig, readDocument } from "./load-config.js";
export { buildProgram } from "./program.js";
