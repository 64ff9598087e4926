/*
 * The prices `idpctl cost` uses: AWS list prices in us-east-1, on-demand. Free allowances are listed
 * apart (`freeAllowances`) and never deducted: an account's allowance is shared with everything else
 * it runs. Other regions cost about the same or up to ~25% more. Re-checked on the date below (how and
 * against what: docs/deploy.md, "What it costs"); update the table and the date together.
 */

export const pricesCheckedOn = "2026-12-04";

export interface Price {
  usd: number;
  unit: string;
  source: string;
}

const lambda = "https://aws.amazon.com/lambda/pricing/";
const dynamodb = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const route53 = "https://aws.amazon.com/route53/pricing/";
const cloudwatch = "https://aws.amazon.com/cloudwatch/pricing/";
const eventbridge = "https://aws.amazon.com/eventbridge/pricing/";
const sqs = "https://aws.amazon.com/sqs/pricing/";
const arc = "https://aws.amazon.com/application-recovery-controller/pricing/";

export const prices = {
  lambdaRequests: { usd: 0.2, unit: "per million requests", source: lambda },
  lambdaArmGbSecond: { usd: 0.0000133334, unit: "per GB-second (arm64)", source: lambda },
  dynamoWrite: { usd: 0.625, unit: "per million write request units (on demand)", source: dynamodb },
  dynamoRead: { usd: 0.125, unit: "per million read request units (on demand)", source: dynamodb },
  dynamoStorage: { usd: 0.25, unit: "per GB-month", source: dynamodb },
  dynamoPitr: { usd: 0.2, unit: "per GB-month (point-in-time recovery)", source: dynamodb },
  sqsRequests: { usd: 0.4, unit: "per million requests (standard queue)", source: sqs },
  schedulerInvocations: {
    usd: 1.0,
    unit: "per million invocations (EventBridge Scheduler)",
    source: eventbridge,
  },
  eventBridgeEvents: { usd: 1.0, unit: "per million custom events", source: eventbridge },
  healthCheckAws: { usd: 0.5, unit: "per health check-month, AWS endpoint", source: route53 },
  healthCheckNonAws: { usd: 0.75, unit: "per health check-month, non-AWS endpoint", source: route53 },
  healthCheckOptionAws: {
    usd: 1.0,
    unit: "per option per health check-month, AWS endpoint (HTTPS, string match, fast interval, latency)",
    source: route53,
  },
  healthCheckOptionNonAws: {
    usd: 2.0,
    unit: "per option per health check-month, non-AWS endpoint",
    source: route53,
  },
  healthCheckCalculated: {
    usd: 0.5,
    unit: "per calculated health check-month (billed as a basic AWS-endpoint check)",
    source: route53,
  },
  route53Queries: { usd: 0.4, unit: "per million standard queries (weighted included)", source: route53 },
  route53HostedZone: {
    usd: 0.5,
    unit: "per hosted zone-month (first 25 zones; $0.10 after)",
    source: route53,
  },
  cloudwatchMetric: { usd: 0.3, unit: "per custom metric-month (EMF), per region", source: cloudwatch },
  cloudwatchAlarm: { usd: 0.1, unit: "per standard alarm-month", source: cloudwatch },
  cloudwatchLogIngest: { usd: 0.5, unit: "per GB ingested", source: cloudwatch },
  cloudwatchLogStorage: { usd: 0.03, unit: "per GB-month stored", source: cloudwatch },
  arcCluster: { usd: 2.5, unit: "per cluster-hour (Route 53 ARC, for comparison)", source: arc },
} satisfies Record<string, Price>;

/** The always-free allowances of the services priced here, per account and month: stated, not deducted. */
export const freeAllowances = [
  { service: "Lambda", allowance: "1 million requests and 400,000 GB-seconds", source: lambda },
  { service: "DynamoDB", allowance: "25 GB of table storage", source: dynamodb },
  { service: "SQS", allowance: "1 million requests", source: sqs },
  { service: "EventBridge", allowance: "14 million Scheduler invocations", source: eventbridge },
  {
    service: "CloudWatch",
    allowance: "10 custom metrics, 10 alarms, 5 GB of log ingestion and storage",
    source: cloudwatch,
  },
] as const;

/*
 * Workload assumptions the estimate rests on, measured or documented where we could; each is
 * printed with the estimate. Durations are billed milliseconds (Lambda rounds up to 1 ms).
 */
export const assumptions = {
  daysPerMonth: 30,
  /*
   * A probe round's duration and memory come from the probe round model (deployment-sizing.ts,
   * `probeRoundModel`, measured by `npm run bench -- fanout`): one function probing alone, or a
   * coordinator and its shards. On top of it:
   */
  /**
   * One call to the home table from a probe region (a write or a query, ~80 ms across regions); a
   * round's calls run side by side, so a round pays for one when it makes any.
   */
  homeTableCallMs: 80,
  /**
   * Share of provider rounds with something to look into (a failure, a slow answer, a retried
   * attempt), whose results are stored in full: 2% of rounds, the noise the replay scenarios assume.
   */
  noteworthyRoundShare: 0.02,
  /**
   * Route 53 checkers per checker region: Route 53 runs about 15 checkers across its 8 checker
   * regions, so about 2 per region; each polls every endpoint at the check's interval.
   */
  checkersPerRegion: 2,
  verdictMs: 15,
  /** The probe regions' latch reads per data-plane site: its state, cached 30 s (latch-reader.ts). */
  latchReadsPerMinute: 2,
  /**
   * Strongly consistent read units per site and evaluation: the state (1), the trackers of every
   * provider and region (~0.7 KB each: 2 units for 2 providers in 3 regions), the public DNS
   * observations (1). The heartbeats are read once a pass for all sites (`heartbeatKb` each).
   */
  evaluatorReadUnitsPerSite: 4,
  heartbeatKb: 0.15,
  evaluatorBaseMs: 150,
  evaluatorMsPerSite: 15,
  notifyMs: 120,
  /** Lambda's SQS poller: 5 long polls of 20 s each, idle or not. */
  sqsIdleReceivesPerMinute: 15,
  /**
   * Items: a probe round (one provider's results in one region) ~0.15 KB of keys plus ~0.1 KB per
   * result, a tracker ~0.7 KB, a minute rollup ~0.5 KB.
   */
  probeRoundBaseKb: 0.15,
  probeResultKb: 0.1,
  rollupKb: 0.5,
  /**
   * State writes a site's quiet minute costs: the state saved with its outbox (the minute's rollups,
   * ~1.0-1.2 KB: 2 units) and saved again once the outbox ran (~0.5 KB: 1 unit). Measured 2026-12-04
   * on examples/okta-entra.yaml (30 simulated minutes, primary active, all probes healthy).
   */
  stateWriteUnitsPerMinute: 3,
  resultRetentionDays: 35,
  /** Rollups are kept; storage is priced at the first year's average (six months of them). */
  rollupMonthsStored: 6,
  /** Log volume: one EMF blob per probe round, a few lines per evaluation. */
  probeLogKbPerRound: 0.6,
  /** A shard worker's line per invocation (its shard, probes, slowest answer). */
  shardLogKbPerRound: 0.3,
  evaluatorLogKbPerRun: 1.5,
  /**
   * A site's daily continuity readiness run (docs/readiness.md): the bench reads a 100,000-user
   * directory in about 45 s of a 1 GB Lambda against the stand-ins; Okta and Graph answer slower,
   * so 120 s is assumed. A run writes the Entra state (~1 MB gzip, in chunks: ~1,100 units) and the
   * result; 8 days of state are kept (~8 MB a site).
   */
  readinessRunSeconds: 120,
  readinessWriteUnitsPerRun: 1_200,
  readinessStoredMb: 8,
  /** Queries for each login hostname; the deployment does not add them, but they are billed. */
  dnsQueriesPerSitePerMonth: 1_000_000,
} as const;
