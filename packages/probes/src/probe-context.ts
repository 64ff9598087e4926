import type { ResolvedProbe } from "@idp-failover/core";
import type { HttpClient } from "@idp-failover/http";
import type { ProbeMemory } from "./probe-memory.js";
import type { RoundDocuments } from "./round-documents.js";
import type { SecretSource } from "./secrets.js";

/** What a probe knows about the provider it checks. */
export interface ProbeTarget {
  kind: "okta" | "entra" | "oidc";
  /** The configured issuer; discovery and token checks compare against it. */
  issuer?: string;
  /** The provider's discovery document (its discovery probe's URL, or `{issuer}/.well-known/...`). */
  discoveryUrl?: string;
  /** The provider's key set when its jwks probe names one explicitly. */
  jwksUrl?: string;
}

/** Everything one attempt of one probe may use. */
export interface AttemptContext {
  target: ProbeTarget;
  secrets: SecretSource;
  /** Aborts at the attempt's hard timeout. */
  signal: AbortSignal;
  timeoutMs: number;
  http: HttpClient;
  documents: RoundDocuments;
  memory: ProbeMemory;
  /** Epoch ms. */
  now(): number;
  /** 1 for the first attempt, 2+ for confirm retries. */
  attempt: number;
}

/** A check that passed: the latency of its own request (dependencies excluded) and its status. */
export interface CheckPassed {
  latencyMs: number;
  status?: number;
}

export type ProbeSpecOf<K extends ResolvedProbe["kind"]> = Extract<ResolvedProbe, { kind: K }>;

export type ProbeCheck<K extends ResolvedProbe["kind"]> = (
  spec: ProbeSpecOf<K>,
  context: AttemptContext,
) => Promise<CheckPassed>;
