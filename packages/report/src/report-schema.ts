import * as z from "@idp-failover/core/zod-mini";

/*
 * The JSON form of a report: a stable, documented contract (docs/report-schema.md). Additive changes
 * keep `schemaVersion` 1; renaming or removing a field, or changing a unit, bumps it. Percentages are
 * percent (99.7917), rounded to 4 decimals; durations say their unit in their name; times are
 * ISO-8601 UTC; a figure that could not be measured is null, never 0 or 100.
 */

export const reportSchemaVersion = 1;

const iso = z.string();
const pct = z.nullable(z.number());

export const creditTierSchema = z.object({ belowPct: z.number(), creditPct: z.number() });

export const providerSlaSchema = z.object({
  targetPct: z.number(),
  /** Availability >= target; null when nothing was measured. */
  met: z.nullable(z.boolean()),
  /** Downtime the target allows over the measured time. */
  errorBudgetMinutes: z.number(),
  budgetUsedMinutes: z.number(),
  /** Negative when the budget is overspent. */
  budgetLeftMinutes: z.number(),
  budgetUsedPct: z.nullable(z.number()),
  serviceCredit: z.object({
    /** Below the target: a credit can be claimed under the vendor's terms. */
    qualifies: z.nullable(z.boolean()),
    /** The vendor's published tier for this figure; the customer's agreement governs. */
    indicativeCreditPct: z.nullable(z.number()),
    vendor: z.string(),
    downtimeDefinition: z.string(),
    formula: z.string(),
    tiers: z.array(creditTierSchema),
    source: z.string(),
  }),
});

export const availabilityFiguresSchema = z.object({
  availabilityPct: pct,
  downtimeMinutes: z.int(),
  degradedMinutes: z.int(),
  /** Down seconds as measured, before rounding episodes to minutes. */
  downSeconds: z.number(),
  measuredMinutes: z.number(),
  unknownMinutes: z.number(),
  noDataMinutes: z.number(),
});

export type AvailabilityFigures = z.infer<typeof availabilityFiguresSchema>;

export const vendorReportedSchema = z.object({
  status: z.enum(["reported", "not-available", "not-applicable"]),
  /** Always says whose figure it is: the vendor's, not ours. */
  label: z.string(),
  vendor: z.string(),
  source: z.string(),
  month: z.nullable(z.string()),
  scorePct: z.nullable(z.number()),
  reason: z.nullable(z.string()),
});
export type VendorReported = z.infer<typeof vendorReportedSchema>;

export const providerReportSchema = z.extend(availabilityFiguresSchema, {
  id: z.string(),
  kind: z.enum(["okta", "entra", "oidc"]),
  role: z.enum(["primary", "secondary"]),
  downEpisodes: z.int(),
  sla: providerSlaSchema,
  regions: z.array(z.extend(availabilityFiguresSchema, { region: z.string() })),
  daily: z.array(z.extend(availabilityFiguresSchema, { date: z.string() })),
  vendorReported: vendorReportedSchema,
});
export type ProviderReport = z.infer<typeof providerReportSchema>;

export const incidentReportSchema = z.object({
  id: z.string(),
  provider: z.string(),
  failoverTo: z.nullable(z.string()),
  start: iso,
  detectedAt: iso,
  dnsSubmittedAt: z.nullable(iso),
  insyncAt: z.nullable(iso),
  recoveredAt: z.nullable(iso),
  failbackRequestedAt: z.nullable(iso),
  failbackApprovedAt: z.nullable(iso),
  approvedBy: z.nullable(z.string()),
  end: z.nullable(iso),
  ongoing: z.boolean(),
  startedBeforePeriod: z.boolean(),
  endsAfterPeriod: z.boolean(),
  detectionSeconds: z.number(),
  dnsChangeSeconds: z.nullable(z.number()),
  insyncSeconds: z.nullable(z.number()),
  timeOnSecondarySeconds: z.nullable(z.number()),
  failbackApprovalWaitSeconds: z.nullable(z.number()),
  failbackSeconds: z.nullable(z.number()),
  loginDowntimeSeconds: z.number(),
  /** How ready `failoverTo` was for the primary's users at its last readiness run before the failover. */
  secondaryReadinessPct: z.nullable(z.number()),
  secondaryReadinessAt: z.nullable(iso),
});
export type IncidentReport = z.infer<typeof incidentReportSchema>;

export const siteReportSchema = z.object({
  site: z.string(),
  hostname: z.string(),
  ttlSeconds: z.int(),
  primary: z.string(),
  /** Share of the measured time the login hostname pointed at a provider that worked. */
  loginAvailabilityPct: pct,
  loginDowntimeSeconds: z.number(),
  loginDowntimeMinutes: z.number(),
  primaryAvailabilityPct: pct,
  /** Primary's downtime minus the login hostname's: what failover bought. */
  failoverSavedMinutes: z.nullable(z.number()),
  measuredMinutes: z.number(),
  loginOutages: z.array(z.object({ from: iso, to: iso, seconds: z.number() })),
  providers: z.array(providerReportSchema),
  incidents: z.array(incidentReportSchema),
});
export type SiteReport = z.infer<typeof siteReportSchema>;

/** A report of the sites with a tag (`idpctl report --tag T`): the sites' figures taken together. */
export const groupSummarySchema = z.object({
  /** The sites carry every one of these tags. */
  tags: z.array(z.string()),
  sites: z.int(),
  /** All the sites' login hostnames together: their measured minutes less their downtime, over the measured minutes. */
  loginAvailabilityPct: pct,
  loginDowntimeMinutes: z.number(),
  measuredMinutes: z.number(),
  /** What failover bought, summed over the sites. */
  failoverSavedMinutes: z.number(),
  incidents: z.int(),
  /** The site whose login hostname did worst (null when none was measured). */
  worstSite: z.nullable(z.object({ site: z.string(), loginAvailabilityPct: z.number() })),
  /** Sites whose primary fell below its SLA target. */
  primaryBelowSla: z.array(z.string()),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const slaReportSchema = z.object({
  schema: z.literal("idp-failover/sla-report"),
  schemaVersion: z.literal(reportSchemaVersion),
  generatedAt: iso,
  period: z.object({
    from: iso,
    to: iso,
    label: z.string(),
    month: z.nullable(z.string()),
    days: z.int(),
    minutes: z.number(),
  }),
  method: z.object({
    availability: z.string(),
    downtime: z.string(),
    unknown: z.string(),
    login: z.string(),
  }),
  /** Present when the sites were chosen by tag. */
  group: z.optional(groupSummarySchema),
  sites: z.array(siteReportSchema),
});
export type SlaReport = z.infer<typeof slaReportSchema>;
