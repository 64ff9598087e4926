import { type CanaryResult, canaryUrl, type MonitorSettings, type RegionHealth } from "@idp-failover/core";
import { type HttpClient, whereOf } from "@idp-failover/http";
import { asProbeFailure, ProbeFailure } from "./probe-failure.js";
import type { ProbePolicy } from "./run-probe.js";
import { withHardTimeout } from "./run-probe.js";

/*
 * The region's own health, checked in the same round as the probes: each canary must answer at all
 * (any HTTP status: the question is whether this region's network works, not whether that server is
 * happy), with confirm retries as the probes have, and the `Date` of the answers tells how far this
 * region's clock is from the servers'. Core decides what that means (`regionImpairment`).
 */

export interface CanaryEnvironment {
  http: HttpClient;
  policy: ProbePolicy;
  /** Wall clock, epoch ms (the clock the region's rounds are stamped with). */
  now(): number;
}

export async function checkCanaries(
  settings: MonitorSettings,
  region: string,
  env: CanaryEnvironment,
): Promise<RegionHealth> {
  const answers = await Promise.all(
    settings.canaries.map((c) => checkCanary(c.name, canaryUrl(c.url, region), env)),
  );
  const skews = answers.flatMap((a) => (a.skewMs === undefined ? [] : [a.skewMs]));
  // The answer closest to our clock: one server with a wrong clock must not impair a healthy region.
  const clockSkewMs =
    skews.length > 0 ? skews.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a)) : undefined;
  return {
    canaries: answers.map((a) => a.result),
    ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
  };
}

async function checkCanary(
  name: string,
  url: string,
  env: CanaryEnvironment,
): Promise<{ result: CanaryResult; skewMs?: number }> {
  const { retries, delayMs } = env.policy.confirm;
  let failure: ProbeFailure | undefined;
  let latencyMs = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(delayMs);
    const sentAt = env.now();
    const started = performance.now();
    try {
      const answer = await withHardTimeout(env.policy.probeTimeoutMs, whereOf(url), (signal) =>
        env.http.request(url, { method: "GET", signal, maxBytes: 64 * 1024 }),
      );
      latencyMs = Math.round(answer.latencyMs);
      const date = Date.parse(String(answer.headers.date ?? ""));
      // `Date` has one-second resolution and was stamped somewhere during the exchange: its midpoint.
      const skewMs = Number.isNaN(date) ? undefined : Math.round(sentAt + answer.latencyMs / 2 - date);
      return { result: { name, ok: true, latencyMs }, ...(skewMs !== undefined ? { skewMs } : {}) };
    } catch (error) {
      latencyMs = Math.round(performance.now() - started);
      failure = asProbeFailure(error) ?? new ProbeFailure("content", String(error));
    }
  }
  return { result: { name, ok: false, latencyMs, error: failure?.message.slice(0, 120) ?? "failed" } };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
