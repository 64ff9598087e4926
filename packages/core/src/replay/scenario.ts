import {
  type Config,
  type ConfigIssue,
  checkPolicy,
  issueDescriber,
  type Provider,
  policySchema,
} from "../config.js";
import { defaultCriticality, type ProbeKind, probeKinds } from "../probe-result.js";
import { isoTime } from "../time.js";
import * as z from "../zod-mini.js";

/*
 * A replay scenario (shared/DESIGN.md §4): a period, regions, providers, a policy, faults, noise and
 * approvals. Parsed strictly where a typo would silently change the result (faults, noise, policy);
 * unknown top-level keys (a description, a source link) are kept out of the way and reported.
 */

/**
 * What one replay accepts. A replay runs on one machine in one process, so a scenario past these is
 * refused before any work (exit 2 from `idpctl replay`) instead of running until killed: the span
 * and the probe rounds bound the time, the list lengths and the file size bound the memory. The
 * defaults cover a year of the default policy (10 s cadence, 3 regions, 2 providers: about 20.7M
 * simulated probe rounds, under a minute per `npm run bench -- decision`) with room to spare.
 */
export const replayLimits = {
  /** `end` minus `start`. */
  maxSpanDays: 400,
  maxFaults: 10_000,
  maxApprovals: 10_000,
  /** More than the AWS regions that exist. */
  maxRegions: 40,
  maxProviders: 10,
  /** span / policy.cadenceSeconds x regions x providers: what the replay simulates. */
  maxProbeRounds: 50_000_000,
  /** The scenario file as read (checked by the caller that reads it). */
  maxFileBytes: 16 * 1024 * 1024,
  /** A span longer than this reports progress (`ReplayOptions.onProgress`). */
  progressAfterDays: 30,
} as const;

export const dayMs = 86_400_000;

/** The scenario's span in days (fractional), for limits and progress. */
export function spanDays(scenario: Pick<Scenario, "start" | "end">): number {
  return (scenario.end - scenario.start) / dayMs;
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The list lengths, checked on the raw document before the schema reads a single entry: a file with
 * a million faults is refused at once, not after parsing them all.
 */
function listLimitIssues(input: unknown): ConfigIssue[] {
  if (!input || typeof input !== "object") return [];
  const lists: Array<[key: string, limit: number, hint: string]> = [
    ["faults", replayLimits.maxFaults, "split the period into several scenarios, or merge adjacent faults"],
    ["approvals", replayLimits.maxApprovals, "split the period into several scenarios"],
    ["regions", replayLimits.maxRegions, "list each probe region once"],
    ["providers", replayLimits.maxProviders, "a site fails over between a few providers"],
  ];
  const issues: ConfigIssue[] = [];
  for (const [key, limit, hint] of lists) {
    const value = (input as Record<string, unknown>)[key];
    if (Array.isArray(value) && value.length > limit) {
      issues.push({
        path: key,
        message: `${count(value.length)} ${key}: a replay takes at most ${count(limit)}`,
        hint,
      });
    }
  }
  return issues;
}

/** The span and the work it implies, once the dates and the policy are known. */
function workLimitIssues(
  raw: { start: number; end: number; policy: { cadenceSeconds: number } },
  regions: number,
  providers: number,
): ConfigIssue[] {
  const days = (raw.end - raw.start) / dayMs;
  if (days > replayLimits.maxSpanDays) {
    return [
      {
        path: "end",
        message: `the scenario spans ${count(Math.ceil(days))} days (start ${isoTime(raw.start)} .. end ${isoTime(raw.end)}): a replay covers at most ${replayLimits.maxSpanDays} days`,
        hint: "check the year of `end`, or split the period into several scenarios",
      },
    ];
  }
  const rounds = Math.ceil((raw.end - raw.start) / (raw.policy.cadenceSeconds * 1000)) * regions * providers;
  if (rounds > replayLimits.maxProbeRounds) {
    return [
      {
        path: "policy.cadenceSeconds",
        message: `${count(rounds)} simulated probe rounds (span / cadenceSeconds ${raw.policy.cadenceSeconds} x ${regions} regions x ${providers} providers): a replay simulates at most ${count(replayLimits.maxProbeRounds)}`,
        hint: "raise policy.cadenceSeconds, or shorten the period",
      },
    ];
  }
  return [];
}

const instant = z.pipe(
  z.string().check(
    z.refine((s: string) => !Number.isNaN(Date.parse(s)) && /\d{4}-\d{2}-\d{2}T/.test(s), {
      error: "not an ISO-8601 date-time (like 2026-01-01T10:00:00Z)",
    }),
  ),
  z.transform((s: string) => Date.parse(s)),
);

const region = z.string().check(z.minLength(1));
const fraction = z.number().check(z.gte(0), z.lte(1));
const probeKindList = z.optional(z.array(z.enum(probeKinds)).check(z.minLength(1)));

/**
 * Keys people write to annotate a scenario (where an incident was documented, what a fault stands
 * for). They are accepted on faults, providers and approvals and ignored (a fault's label shows in
 * the timeline); any other unknown key is an error, since a typo ("failurerate") would otherwise
 * silently change the result.
 */
const annotations = {
  note: z.optional(z.string()),
  notes: z.optional(z.string()),
  description: z.optional(z.string()),
  comment: z.optional(z.string()),
  source: z.optional(z.string()),
  label: z.optional(z.string()),
};
const regionsOrAll = z.array(z.union([z.literal("*"), region])).check(z.minLength(1));

export const faultModes = [
  "down",
  "timeout",
  "flaky",
  "slow",
  "partition",
  "monitor-down",
  "read-only",
  "backup-auth",
] as const;

const faultFields = z.strictObject({
  ...annotations,
  /** A provider id or `*`; may be left out (all providers), as it is for `monitor-down`. */
  provider: z._default(z.string().check(z.minLength(1)), "*"),
  regions: z._default(regionsOrAll, ["*"]),
  from: instant,
  to: instant,
  mode: z.enum(faultModes),
  /** For `flaky`: the share of probe attempts that fail. */
  failureRate: z.optional(fraction),
  /** For `slow`: how long each answer takes. */
  latencyMs: z.optional(z.number().check(z.int(), z.positive())),
  /** Only these probe kinds are hit (default: all). */
  probes: probeKindList,
});

const faultSchema = faultFields.check(
  z.superRefine((fault: z.output<typeof faultFields>, ctx) => {
    if (fault.to <= fault.from)
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after `from`" });
    if (fault.mode === "flaky" && fault.failureRate === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["failureRate"],
        message: "a flaky fault needs failureRate (0..1)",
      });
    }
    if (fault.mode === "slow" && fault.latencyMs === undefined) {
      ctx.addIssue({ code: "custom", path: ["latencyMs"], message: "a slow fault needs latencyMs" });
    }
    if (fault.mode === "monitor-down" && fault.provider !== "*") {
      ctx.addIssue({
        code: "custom",
        path: ["provider"],
        message: 'monitor-down is the probe regions\' own network: leave provider out (or "*")',
      });
    }
    if ((fault.mode === "read-only" || fault.mode === "backup-auth") && fault.provider === "*") {
      ctx.addIssue({
        code: "custom",
        path: ["provider"],
        message: `a ${fault.mode} fault is one vendor's mode: name the provider`,
      });
    }
  }),
);
export type Fault = z.infer<typeof faultSchema>;

const scenarioFields = z.object({
  name: z._default(z.string(), "unnamed scenario"),
  start: instant,
  end: instant,
  regions: z._default(z.array(region).check(z.minLength(1)), ["us-east-1", "us-west-2", "eu-west-1"]),
  providers: z
    .array(
      z.strictObject({
        ...annotations,
        id: z
          .string()
          .check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "use lowercase letters, digits and dashes" })),
        role: z.optional(z.enum(["primary", "secondary"])),
        kind: z.optional(z.enum(["okta", "entra", "oidc"])),
        probes: probeKindList,
      }),
    )
    .check(z.minLength(2, { error: "a scenario needs a primary and at least one secondary" })),
  /** Overrides of the config's policy section, checked like a config's. */
  policy: z.prefault(policySchema, {}),
  faults: z._default(z.array(faultSchema), []),
  noise: z.prefault(
    z.strictObject({
      failureRate: z._default(fraction, 0),
      seed: z._default(z.number().check(z.int()), 1),
    }),
    {},
  ),
  approvals: z._default(
    z.array(z.strictObject({ ...annotations, at: instant, user: z.string().check(z.minLength(1)) })),
    [],
  ),
  /** Extensions: the login record's TTL, and how long a Route 53 change takes to reach INSYNC. */
  ttl: z._default(z.number().check(z.int(), z.gte(1), z.lte(86_400)), 60),
  dns: z.prefault(
    z.strictObject({ insyncSeconds: z._default(z.number().check(z.gte(0), z.lte(3600)), 30) }),
    {},
  ),
});

/** Just the policy and the regions of a scenario (other keys are ignored here). */
const policyAndRegions = z.object({
  policy: scenarioFields.shape.policy,
  regions: scenarioFields.shape.regions,
});

const scenarioSchema = scenarioFields.check(
  z.superRefine((s: z.output<typeof scenarioFields>, ctx) => {
    if (s.end <= s.start) ctx.addIssue({ code: "custom", path: ["end"], message: "must be after `start`" });
    const ids = new Set<string>();
    s.providers.forEach((p, i) => {
      if (ids.has(p.id))
        ctx.addIssue({ code: "custom", path: ["providers", i, "id"], message: `duplicate provider ${p.id}` });
      ids.add(p.id);
    });
    const primaries = s.providers.filter((p) => p.role === "primary").length;
    if (primaries > 1)
      ctx.addIssue({ code: "custom", path: ["providers"], message: "more than one primary" });
    const regions = new Set(s.regions);
    s.regions.forEach((r, i) => {
      // A region listed twice would count twice towards the quorum.
      if (s.regions.indexOf(r) !== i)
        ctx.addIssue({ code: "custom", path: ["regions", i], message: `duplicate region ${r}` });
    });
    s.approvals.forEach((a, i) => {
      if (a.at < s.start || a.at > s.end) {
        ctx.addIssue({
          code: "custom",
          path: ["approvals", i, "at"],
          message: "outside the scenario's period (start .. end)",
        });
      }
    });
    s.faults.forEach((f, i) => {
      if (f.from >= s.end || f.to <= s.start) {
        // Most often a typo in a year: the fault would silently never happen.
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, f.from >= s.end ? "from" : "to"],
          message: "the fault lies outside the scenario's period (start .. end): it would never happen",
        });
      }
      if (f.provider !== "*" && !ids.has(f.provider)) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", i, "provider"],
          message: `unknown provider ${JSON.stringify(f.provider)} (providers: ${[...ids].join(", ")}, or "*")`,
        });
      }
      f.regions.forEach((r, j) => {
        if (r !== "*" && !regions.has(r)) {
          ctx.addIssue({
            code: "custom",
            path: ["faults", i, "regions", j],
            message: `unknown region ${JSON.stringify(r)} (regions: ${[...regions].join(", ")}, or "*")`,
          });
        }
      });
    });
  }),
);

export interface Scenario {
  name: string;
  /** Epoch ms. */
  start: number;
  end: number;
  regions: string[];
  faults: Fault[];
  noise: { failureRate: number; seed: number };
  approvals: Array<{ at: number; user: string }>;
  insyncMs: number;
  /** The config the replay runs: one site, the scenario's providers and policy. */
  config: Config;
  /** Top-level keys the format does not know (kept out of the way, but worth a word). */
  ignoredKeys: string[];
}

export type ScenarioParse = { ok: true; scenario: Scenario } | { ok: false; issues: ConfigIssue[] };

const knownTopLevel = new Set([
  "name",
  "start",
  "end",
  "regions",
  "providers",
  "policy",
  "faults",
  "noise",
  "approvals",
  "ttl",
  "dns",
]);
const defaultProbes: ProbeKind[] = ["oidc-discovery", "jwks", "token"];

export const replaySiteId = "replay";

export function parseScenario(input: unknown): ScenarioParse {
  const tooLong = listLimitIssues(input);
  if (tooLong.length > 0) return { ok: false, issues: tooLong };
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    // As for a config: the policy's coherence checks still speak when only other parts are wrong.
    const issues = parsed.error.issues.map(toIssue);
    const sections = policyAndRegions.safeParse(input);
    if (sections.success) checkPolicy(sections.data.policy, sections.data.regions, issues);
    return { ok: false, issues };
  }
  const raw = parsed.data;
  const issues: ConfigIssue[] = workLimitIssues(raw, raw.regions.length, raw.providers.length);
  if (issues.length > 0) return { ok: false, issues };
  checkPolicy(raw.policy, raw.regions, issues);
  if (issues.length > 0) return { ok: false, issues };

  const primaryIndex = Math.max(
    0,
    raw.providers.findIndex((p) => p.role === "primary"),
  );
  const ordered = [raw.providers[primaryIndex], ...raw.providers.filter((_, i) => i !== primaryIndex)].filter(
    (p): p is (typeof raw.providers)[number] => p !== undefined,
  );
  const providers: Provider[] = ordered.map((p, i) => ({
    id: p.id,
    kind: p.kind ?? (p.id.includes("okta") ? "okta" : p.id.includes("entra") ? "entra" : "oidc"),
    role: i === 0 ? "primary" : "secondary",
    issuer: `https://${p.id}.idp.test`,
    dnsTarget: `${p.id}.idp.test`,
    setIdentifier: p.id,
    slaTargetPct: 99.99,
    // Replay simulates probes by kind; the per-kind fields a real probe needs (URLs, client ids) never matter.
    probes: (p.probes ?? defaultProbes).map(
      (kind) => ({ kind, name: kind, criticality: defaultCriticality[kind] }) as Provider["probes"][number],
    ),
  }));
  const config: Config = {
    version: 1,
    homeRegion: raw.regions[0] ?? "us-east-1",
    regions: raw.regions,
    policy: raw.policy,
    alerting: { webhooks: [], eventBus: "idp-failover" },
    sla: { targetPct: 99.99 },
    sites: [
      {
        id: replaySiteId,
        hostname: "login.replay.test",
        hostedZoneId: "ZREPLAY",
        recordType: "CNAME",
        ttl: raw.ttl,
        providers,
        policy: raw.policy,
        alerting: { webhooks: [] },
        tags: [],
      },
    ],
  };
  const ignoredKeys =
    input && typeof input === "object" ? Object.keys(input).filter((key) => !knownTopLevel.has(key)) : [];
  return {
    ok: true,
    scenario: {
      name: raw.name,
      start: raw.start,
      end: raw.end,
      regions: raw.regions,
      faults: raw.faults,
      noise: raw.noise,
      approvals: [...raw.approvals].sort((a, b) => a.at - b.at),
      insyncMs: raw.dns.insyncSeconds * 1000,
      config,
      ignoredKeys,
    },
  };
}

const hints: Record<string, string> = {
  faults:
    'each fault: {"provider": "okta"|"*", "regions": ["*"], "from": ISO, "to": ISO, "mode": "down"|"timeout"|"flaky"|"slow"|"partition"|"monitor-down"|"read-only"|"backup-auth"}',
  providers: '[{"id": "okta", "role": "primary"}, {"id": "entra", "role": "secondary"}]',
  approvals: '[{"at": "2026-01-01T12:00:00Z", "user": "U123"}]',
  noise: '{"failureRate": 0.02, "seed": 7}',
  policy: "the keys of the config's policy section (see idpctl validate on examples/okta-entra.yaml)",
};

const toIssue = issueDescriber(scenarioFields, (path) => hints[String(path[0] ?? "")]);
