export * from "./config.js";
export * from "./effects.js";
export * from "./probe-result.js";
export * from "./site-state.js";
export * from "./state-machine.js";
export * from "./verdict.js";
