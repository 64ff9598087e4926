export { discoveryUrlOf } from "./oidc.js";
export { type OktaAuth, oktaClientSettings } from "./okta-client-settings.js";
export type { ProbeTarget } from "./probe-context.js";
export { createProbeMemory, ProbeMemory } from "./probe-memory.js";
export * from "./public-dns.js";
export { planRound, prepareRound, type RegionRoundOptions, runRegionRound } from "./region-round.js";
export { type ProbePolicy, type RunProbeOptions, resolveProbe, runProbe } from "./run-probe.js";
export { envSecrets, type SecretSource } from "./secrets.js";
