export { entraGroupsByName, ReadinessComparison } from "./compare.js";
export * from "./directory.js";
export { EntraDirectoryReader, type EntraReaderOptions } from "./entra-directory-reader.js";
export { type GraphTokenSettings, graphTokenSource } from "./graph-token.js";
export { OktaDirectoryReader, type OktaReaderAuth, type OktaReaderOptions } from "./okta-directory-reader.js";
export * from "./run-readiness.js";
export { type MatchAttribute, SecondaryState } from "./secondary-state.js";
export { type SiteReaderOptions, type SiteReaders, siteReaders } from "./site-readers.js";
