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

export interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token must not be used. */
  expiresAt: number;
}

export class ProbeMemory {
  /** By Okta org URL. */
  readonly rateLimits = new Map<string, RateLimitState>();
  /** By token endpoint, client, scope and a fingerprint of the secret. */
  readonly tokens = new Map<string, CachedToken>();
  /** By org URL, auth settings and a fingerprint of the secret. */
  readonly oktaClients = new Map<string, OktaClient>();
}

export function createProbeMemory(): ProbeMemory {
  return new ProbeMemory();
}
