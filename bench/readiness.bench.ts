/*
 * bench/readiness: one full readiness run of a site with 100,000 active Okta users in 5,000 groups
 * (2 groups each, about 40 members a group) and 20 apps each assigned to 50 groups, against the Okta
 * and Entra stand-ins over real HTTPS (their own process), with the real SDK clients. Entra lacks 1%
 * of the users and two apps miss a group assignment. Prints the run's CPU seconds (this process:
 * the SDKs, TLS, JSON, the comparison) and peak RSS against the targets (under 10 s and 512 MB), then
 * an incremental run the day after (Graph delta links from the stored state).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseConfig, type Site } from "@idp-failover/core";
import { runReadiness, SecondaryState, siteReaders } from "@idp-failover/readiness";
import {
  type DirectorySpec,
  directoryIds,
  entraStandInDefaults,
  oktaStandInDefaults,
} from "@idp-failover/stand-ins";

const users = Number(process.env.BENCH_USERS ?? 100_000);
const groups = Number(process.env.BENCH_GROUPS ?? 5_000);
const apps = 20;
const spec: DirectorySpec = {
  users,
  groups,
  groupsPerUser: 2,
  apps: Array.from({ length: apps }, (_, a) => ({
    name: `App ${a}`,
    groups: Array.from({ length: 50 }, (_, g) => (a * 250 + g * 5) % groups),
  })),
  drift: {
    missingUsers: Array.from({ length: users / 100 }, (_, i) => i * 100 + 7),
    unassignedGroups: [
      [0, 5],
      [1, 255],
    ],
  },
};

const child = spawn(
  process.execPath,
  ["--import", "tsx", new URL("./readiness-stand-ins.ts", import.meta.url).pathname, JSON.stringify(spec)],
  {
    stdio: ["pipe", "pipe", "inherit"],
  },
);
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once("line", resolve);
  child.once("exit", (code) => reject(new Error(`stand-ins exited with ${code}`)));
});
const endpoints = JSON.parse(first) as { okta: string; entra: string; ca: string };

const parsed = parseConfig({
  sites: [
    {
      id: "bench",
      hostname: "login.bench.example",
      hostedZoneId: "Z0123456789ABC",
      providers: [
        { id: "okta", kind: "okta", issuer: `${endpoints.okta}/oauth2/default`, dnsTarget: "bench.okta.com" },
        {
          id: "entra",
          kind: "entra",
          tenantId: entraStandInDefaults.tenantId,
          dnsTarget: "bench.azurefd.net",
        },
      ],
      continuity: {
        apps: Array.from({ length: apps }, (_, a) => ({
          okta: directoryIds.oktaApp(a),
          entra: directoryIds.entraServicePrincipal(a),
        })),
        okta: { orgUrl: endpoints.okta, auth: { mode: "token", tokenRef: "OKTA" } },
        entra: {
          clientId: entraStandInDefaults.readinessClient.clientId,
          clientSecretRef: "ENTRA",
          graphBaseUrl: endpoints.entra,
          authorityHost: endpoints.entra,
        },
      },
    },
  ],
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const site = parsed.config.sites[0] as Site;
const secrets: Record<string, string> = {
  OKTA: oktaStandInDefaults.apiToken,
  ENTRA: entraStandInDefaults.readinessClient.clientSecret,
};

async function run(label: string, stored?: SecondaryState) {
  const continuity = site.continuity;
  if (!continuity) throw new Error("no continuity");
  const clock = { now: Date.now };
  const readers = siteReaders(continuity, { secrets: (ref) => secrets[ref], clock, ca: endpoints.ca });
  if (!readers.ok) throw new Error("secrets");
  (globalThis as { gc?: () => void }).gc?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await runReadiness(site, {
    primary: readers.primary,
    secondary: readers.secondary,
    clock,
    ...(stored ? { stored } : {}),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  readers.close();
  const { result } = outcome;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${label}: ${result.status}, ${result.mode} read, ${result.readinessPct?.toFixed(2)}% ready; ` +
      `${result.requests.okta.toLocaleString("en-US")} Okta + ${result.requests.graph.toLocaleString("en-US")} Graph requests\n` +
      `  cpu ${cpuSeconds.toFixed(2)} s (target < 10 s), wall ${wallSeconds.toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB (target < 512 MB)\n`,
  );
  if (result.status !== "complete") process.stdout.write(`  problems: ${JSON.stringify(result.partial)}\n`);
  return { outcome, cpuSeconds, peakRssMb };
}

process.stdout.write(
  `workload: ${users.toLocaleString("en-US")} active users, ${groups.toLocaleString("en-US")} groups (2 per user), ${apps} apps x 50 groups; ` +
    "Okta and Entra stand-ins over HTTPS in their own process; real SDK clients\n",
);
try {
  const full = await run("full run");
  const stored =
    full.outcome.secondaryState && SecondaryState.fromBytes(full.outcome.secondaryState.toBytes());
  const bytes = full.outcome.secondaryState?.toBytes().length ?? 0;
  process.stdout.write(`  stored Entra state: ${(bytes / 1e6).toFixed(2)} MB gzip\n`);
  const incremental = await run("incremental run, the day after", stored);
  const ok =
    full.cpuSeconds < 10 && full.peakRssMb < 512 && incremental.outcome.result.mode === "incremental";
  process.exitCode = ok ? 0 : 1;
} finally {
  child.stdin.end();
}
