import {
  type Config,
  type Criticality,
  defaultCriticality,
  type Policy,
  type ProbeError,
  type ProbeResult,
  type ProbeSpec,
  policySchema,
  type ResolvedProbe,
  type VendorMode,
} from "@idp-failover/core";
import { type HttpClient, NodeHttpClient, whereOf } from "@idp-failover/http";
import { checkFrontDoor } from "./checks/front-door.js";
import { checkGraphHealth } from "./checks/graph-health.js";
import { checkHttp } from "./checks/http.js";
import { checkInteractiveSignIn } from "./checks/interactive-sign-in.js";
import { checkJwks } from "./checks/jwks.js";
import { checkDiscovery } from "./checks/oidc-discovery.js";
import { checkOktaApi, loadOktaSdk } from "./checks/okta-api.js";
import { checkSamlMetadata } from "./checks/saml-metadata.js";
import { checkToken } from "./checks/token.js";
import { discoveryUrlOf } from "./oidc.js";
import type { AttemptContext, CheckPassed, ProbeTarget } from "./probe-context.js";
import { ProbeFailure, toProbeFailure } from "./probe-failure.js";
import { createProbeMemory, type ProbeMemory } from "./probe-memory.js";
import { redact, secretValuesOf } from "./redact.js";
import { RoundDocuments } from "./round-documents.js";
import type { SecretSource } from "./secrets.js";

/*
 * One probe, start to finish: attempts under a hard timeout, confirm-on-failure retries as the policy
 * says (failures only; a slow or upstream answer is an answer), the latency budget, and the result in
 * the core's shape with a short, secret-free message.
 */

export type ProbePolicy = Pick<Policy, "probeTimeoutMs" | "slowMs" | "confirm">;

/** What a probe runs with; a round shares one among all its probes. */
export interface ProbeEnvironment {
  policy: ProbePolicy;
  secrets: SecretSource;
  http: HttpClient;
  documents: RoundDocuments;
  memory: ProbeMemory;
  now(): number;
}

/** A round's environment: one HTTP client (one TLS context) and one set of shared documents. */
export function probeEnvironment(options: {
  policy: ProbePolicy;
  secrets: SecretSource;
  ca?: string | undefined;
  memory?: ProbeMemory | undefined;
  now: () => number;
}): ProbeEnvironment {
  const http = new NodeHttpClient({ ca: options.ca, userAgent: "idp-failover-probe/0.1" });
  return {
    policy: options.policy,
    secrets: options.secrets,
    http,
    documents: new RoundDocuments(http),
    memory: options.memory ?? createProbeMemory(),
    now: options.now,
  };
}

export interface ProbeOutcome {
  ok: boolean;
  latencyMs: number;
  status?: number;
  attempts: number;
  error?: ProbeError;
  mode?: VendorMode;
}

type Attempt = { ok: true; passed: CheckPassed } | { ok: false; failure: ProbeFailure; latencyMs: number };

/** `policy`: the probe's site's, when it differs from the round's (a site's own `policy`). */
export async function executeProbe(
  spec: ResolvedProbe,
  target: ProbeTarget,
  env: ProbeEnvironment,
  policy: ProbePolicy = env.policy,
): Promise<ProbeOutcome> {
  const timeoutMs = spec.timeoutMs ?? policy.probeTimeoutMs;
  const slowMs = spec.slowMs ?? policy.slowMs;
  let attempts = 0;
  let outcome: Attempt;
  for (;;) {
    attempts++;
    outcome = await attemptOnce(spec, target, env, attempts, timeoutMs);
    if (outcome.ok || !outcome.failure.retryable || attempts > policy.confirm.retries) break;
    await sleep(policy.confirm.delayMs);
  }
  if (outcome.ok) {
    const { latencyMs, status } = outcome.passed;
    const rounded = Math.round(latencyMs);
    if (latencyMs > slowMs) {
      return {
        ok: false,
        latencyMs: rounded,
        ...(status !== undefined ? { status } : {}),
        attempts,
        error: {
          class: "slow",
          message: `answered correctly in ${rounded} ms, over the ${slowMs} ms budget`,
        },
      };
    }
    return { ok: true, latencyMs: rounded, ...(status !== undefined ? { status } : {}), attempts };
  }
  const { failure } = outcome;
  return {
    ok: false,
    latencyMs: Math.round(outcome.latencyMs),
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    attempts,
    error: { class: failure.errorClass, message: redact(failure.message, secretValuesOf(spec, env.secrets)) },
    ...(failure.mode ? { mode: failure.mode } : {}),
  };
}

async function attemptOnce(
  spec: ResolvedProbe,
  target: ProbeTarget,
  env: ProbeEnvironment,
  attempt: number,
  timeoutMs: number,
): Promise<Attempt> {
  // A stopwatch, not a clock read: the attempt's latency, whatever the clock says.
  const started = performance.now();
  const where = whereOf(urlOf(spec) ?? target.issuer ?? "");
  try {
    const passed = await withHardTimeout(timeoutMs, where, (signal) =>
      check(spec, {
        target,
        secrets: env.secrets,
        signal,
        timeoutMs,
        http: env.http,
        documents: env.documents,
        memory: env.memory,
        now: env.now,
        attempt,
      }),
    );
    return { ok: true, passed };
  } catch (error) {
    return { ok: false, failure: toProbeFailure(error, where), latencyMs: performance.now() - started };
  }
}

/**
 * Runs `work` under a hard timeout that ends it even if a library ignores the abort signal; any
 * failure comes back as a ProbeFailure (a timeout as class `timeout`).
 */
export async function withHardTimeout<T>(
  timeoutMs: number,
  where: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const failure = new ProbeFailure("timeout", `no complete answer within ${timeoutMs} ms`);
      controller.abort(failure);
      reject(failure);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } catch (error) {
    throw toProbeFailure(error, where, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

function check(spec: ResolvedProbe, context: AttemptContext): Promise<CheckPassed> {
  switch (spec.kind) {
    case "http":
      return checkHttp(spec, context);
    case "oidc-discovery":
      return checkDiscovery(spec, context);
    case "jwks":
      return checkJwks(spec, context);
    case "token":
      return checkToken(spec, context);
    case "saml-metadata":
      return checkSamlMetadata(spec, context);
    case "okta-api":
      return checkOktaApi(spec, context);
    case "graph-health":
      return checkGraphHealth(spec, context);
    case "front-door":
      return checkFrontDoor(spec, context);
    case "interactive-sign-in":
      return checkInteractiveSignIn(spec, context);
  }
}

function urlOf(spec: ResolvedProbe): string | undefined {
  switch (spec.kind) {
    case "http":
    case "saml-metadata":
    case "oidc-discovery":
    case "jwks":
      return spec.url;
    case "token":
      return spec.tokenUrl;
    case "okta-api":
      return spec.orgUrl;
    case "graph-health":
      return spec.graphUrl ?? "https://graph.microsoft.com";
    case "front-door":
      return spec.url;
    case "interactive-sign-in":
      return spec.authorizeUrl;
  }
}

/**
 * Loads what the probes need before a round's clock starts, so a cold start (the Okta SDK takes
 * about a second to load) never counts against a probe's timeout.
 */
export async function prepareFor(specs: readonly Pick<ResolvedProbe, "kind">[]): Promise<void> {
  if (!specs.some((spec) => spec.kind === "okta-api")) return;
  try {
    await loadOktaSdk();
  } catch {
    // The okta-api probes report it (as a probe error) when they try; the other probes still run.
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** A probe spec with its defaults: named after its kind, criticality by kind. */
export function resolveProbe(spec: ProbeSpec): ResolvedProbe {
  const criticality: Criticality = spec.criticality ?? defaultCriticality[spec.kind];
  return { ...spec, name: spec.name ?? spec.kind, criticality };
}

/** What a provider's probes know about it: issuer, and where its discovery document and key set are. */
export function targetOf(
  provider: Pick<Config["sites"][number]["providers"][number], "kind" | "issuer" | "probes">,
): ProbeTarget {
  const discovery = provider.probes.find((p) => p.kind === "oidc-discovery");
  const jwks = provider.probes.find((p) => p.kind === "jwks");
  const discoveryUrl =
    (discovery?.kind === "oidc-discovery" ? discovery.url : undefined) ??
    (provider.issuer ? discoveryUrlOf(provider.issuer) : undefined);
  const jwksUrl = jwks?.kind === "jwks" ? jwks.url : undefined;
  return {
    kind: provider.kind,
    ...(provider.issuer ? { issuer: provider.issuer } : {}),
    ...(discoveryUrl ? { discoveryUrl } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
  };
}

export interface RunProbeOptions {
  secrets: SecretSource;
  /** Timeouts, latency budget and confirm retries; the config defaults when absent. */
  policy?: ProbePolicy;
  /** The provider the probe belongs to: its issuer is what discovery and token checks expect. */
  provider?: { id?: string; kind?: "okta" | "entra" | "oidc"; issuer?: string };
  site?: string;
  region?: string;
  /** Round start, epoch ms; now when absent. */
  at?: number;
  /** Extra PEM CA certificate(s) to trust. */
  ca?: string;
  memory?: ProbeMemory;
  /** The clock (epoch ms): the result's time when `at` is absent, token and certificate expiry. */
  now: () => number;
}

/** Runs one probe on its own (`idpctl probe --kind K --url URL`). */
export async function runProbe(spec: ProbeSpec, options: RunProbeOptions): Promise<ProbeResult> {
  const resolved = resolveProbe(spec);
  const at = options.at ?? options.now();
  const env = probeEnvironment({ ...options, policy: options.policy ?? policySchema.parse({}) });
  const target = targetOf({
    kind: options.provider?.kind ?? "oidc",
    ...(options.provider?.issuer ? { issuer: options.provider.issuer } : {}),
    probes: [resolved],
  });
  await prepareFor([resolved]);
  const outcome = await executeProbe(resolved, target, env);
  return toResult(outcome, resolved, {
    site: options.site ?? "-",
    provider: options.provider?.id ?? "-",
    region: options.region ?? "local",
    at,
  });
}

export function toResult(
  outcome: ProbeOutcome,
  spec: ResolvedProbe,
  where: { site: string; provider: string; region: string; at: number },
): ProbeResult {
  return {
    site: where.site,
    provider: where.provider,
    region: where.region,
    probe: spec.name,
    kind: spec.kind,
    criticality: spec.criticality,
    at: new Date(where.at).toISOString(),
    ok: outcome.ok,
    latencyMs: outcome.latencyMs,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    attempts: outcome.attempts,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.mode ? { mode: outcome.mode } : {}),
  };
}
