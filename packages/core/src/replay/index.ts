export * from "./probe-model.js";
export * from "./replay.js";
export * from "./scenario.js";
export * from "./timeline.js";
