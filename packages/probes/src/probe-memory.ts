import type { ClientCredentials } from "@idp-failover/http";
import type { OktaClient } from "./okta-sdk.js";

/*
 * What probes remember between rounds in one process (a warm Lambda, `idpctl run`): Okta rate-limit
 * budgets, so the okta-api probe stops calling while the org's budget is low; access tokens, so a
 * probe does not mint a token every round just to read service health; and Okta SDK clients, whose
 * own token caches live inside them. Create one per process and pass it to every round.
 */

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Epoch ms when the window resets. */
  resetAt: number;
}

export class ProbeMemory {
  /** By Okta org URL. */
  readonly rateLimits = new Map<string, RateLimitState>();
  /** Apps' access tokens (each kept until shortly before it expires), by endpoint, app and a fingerprint of the secret. */
  readonly tokens = new Map<string, ClientCredentials>();
  /** By org URL, auth settings and a fingerprint of the secret. */
  readonly oktaClients = new Map<string, OktaClient>();
}

export function createProbeMemory(): ProbeMemory {
  return new ProbeMemory();
}
