import type { DrillIdps } from "../../packages/runtime/src/drill/drill-config.js";

/*
 * The drill's IdPs at fixed loopback addresses nothing listens on: for tests that build the drill's
 * config (drillConfig) to read it, render it or decide on it, and start no stand-in.
 */
export const idleDrillIdps: DrillIdps = {
  okta: {
    issuer: "https://127.0.0.1:4001/oauth2/default",
    samlMetadataUrl: "https://127.0.0.1:4001/m",
    clientId: "x",
  },
  entra: { url: "https://127.0.0.1:4002", tenantId: "00000000-0000-4000-8000-000000000001", clientId: "x" },
};
