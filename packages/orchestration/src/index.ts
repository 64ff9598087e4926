export * from "./evaluate-sites.js";
export * from "./home-evaluator.js";
export * from "./latch-reader.js";
export * from "./probe-worker.js";
export * from "./verdict-endpoint.js";
