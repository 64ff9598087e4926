export * from "./drill/drill-config.js";
export * from "./drill/game-day.js";
export * from "./drill/run-drill.js";
export * from "./input-error.js";
export * from "./loop/compressed-clock.js";
export * from "./loop/control-loop.js";
export * from "./loop/timeline-format.js";
export * from "./self-hosted/run-self-hosted.js";
