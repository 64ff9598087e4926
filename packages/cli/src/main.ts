import { runIdpctl } from "./run-idpctl.js";

process.exitCode = await runIdpctl(process.argv.slice(2));
