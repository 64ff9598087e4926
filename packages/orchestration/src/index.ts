export * from "./config-file.js";
export * from "./delivery-channels.js";
export * from "./evaluate-sites.js";
export * from "./home-evaluator.js";
export * from "./latch-reader.js";
export * from "./monthly-report-run.js";
export * from "./probe-round.js";
export * from "./verdict-endpoint.js";
