import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventSource, probeEventSource, tableDefinition, ttlAttribute } from "@idp-failover/aws";
import { lambdaRuntime } from "@idp-failover/core";
import { beforeAll, describe, expect, it } from "vitest";
import { metricNames, metricsNamespace, serviceName } from "../../functions/wiring/observability.js";
import {
  exampleRegions,
  exampleSecrets,
  type PolicyStatement,
  repoRoot,
  type Synthesis,
  statementsOf as statementsOfRole,
  synthesize,
} from "./synthesize.js";

/*
 * The real sst.config.ts and stacks/, declared offline against Pulumi mocks (see synthesize.ts),
 * with the example config: three probe regions, one site, Okta primary and Entra secondary.
 */

const regions = exampleRegions;

let synth: Synthesis;

beforeAll(async () => {
  synth = await synthesize({ configFile: "examples/okta-entra.yaml", secrets: exampleSecrets });
}, 300_000);

function statementsOf(role: string): PolicyStatement[] {
  return statementsOfRole(synth, role);
}

function linksOf(functionId: string): string[] {
  const build = synth.builds.find((b) => b.functionID === functionId);
  if (!build) throw new Error(`no build for ${functionId}`);
  return Object.keys(build.links as Record<string, unknown>).sort();
}

describe("probe regions", () => {
  it.each(regions)(
    "%s has a probe function, its schedule, its tick queue and a verdict URL",
    (region, name) => {
      const probe = synth.named(`Probe${name}Function`);
      expect(probe.region).toBe(region);
      expect(probe.inputs).toMatchObject({
        architectures: ["arm64"],
        memorySize: 256,
        reservedConcurrentExecutions: 1,
        runtime: "nodejs24.x",
      });
      // The timeout covers the slowest round: 3 attempts of 5 s, 2 confirm delays of 1 s, then the writes.
      expect(probe.inputs.timeout).toBeGreaterThan(17);
      const schedule = synth.named(`ProbeWatchdog${name}Schedule`);
      expect(schedule.region).toBe(region);
      expect(schedule.inputs.scheduleExpression).toBe("rate(1 minute)");
      expect(synth.named(`ProbeTicksSubscription${name}`)).toMatchObject({
        region,
        inputs: { batchSize: 1 },
      });
      expect(synth.named(`ProbeTicks${name}`).region).toBe(region);
      expect(synth.named(`Verdict${name}Url`).region).toBe(region);
      expect(synth.named(`DataPlane${name}`).region).toBe(region);
    },
  );

  it("points each region's functions at that region's own data-plane table and queue", () => {
    const env = (
      synth.named("ProbeEuWest1Function").inputs.environment as { variables: Record<string, string> }
    ).variables;
    expect(env.IDP_FAILOVER_DATA_PLANE_TABLE).toBe("DataPlaneEuWest1-physical");
    expect(env.IDP_FAILOVER_PROBE_QUEUE_URL).toContain("sqs.eu-west-1");
  });

  it("drops the Lambda platform's own log lines (most of the log volume)", () => {
    expect(synth.named("ProbeUsEast1Function").inputs.loggingConfig).toMatchObject({
      logFormat: "JSON",
      systemLogLevel: "WARN",
    });
  });
});

describe("the table", () => {
  it("has the keys and the outbox index the DynamoDB adapters use (packages/aws/src/table.ts)", () => {
    const definition = tableDefinition("any");
    const keyOf = (schema: typeof definition.KeySchema, type: string) =>
      schema?.find((k) => k.KeyType === type)?.AttributeName;
    const table = synth.named("Table").inputs;
    expect(table.attributes).toEqual(
      definition.AttributeDefinitions?.map((a) => ({ name: a.AttributeName, type: a.AttributeType })),
    );
    expect(table.hashKey).toBe(keyOf(definition.KeySchema, "HASH"));
    expect(table.rangeKey).toBe(keyOf(definition.KeySchema, "RANGE"));
    expect(table.globalSecondaryIndexes).toEqual(
      definition.GlobalSecondaryIndexes?.map((index) => ({
        name: index.IndexName,
        hashKey: keyOf(index.KeySchema, "HASH"),
        rangeKey: keyOf(index.KeySchema, "RANGE"),
        projectionType: index.Projection?.ProjectionType,
      })),
    );
    expect(table.ttl).toEqual({ attributeName: ttlAttribute, enabled: true });
  });

  it("is on demand with TTL and point-in-time recovery, unprotected in a dev stage", () => {
    expect(synth.named("Table").inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "PK",
      rangeKey: "SK",
      ttl: { attributeName: "expiresAt", enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: false,
      name: "idp-failover-ci",
    });
  });
});

describe("Route 53 data plane", () => {
  const checks = () => synth.ofType("aws:route53/healthCheck:HealthCheck");

  it("health-checks each region's verdict URL over HTTPS for the primary: inverted, threshold 2, secret in the path", () => {
    for (const [region, name] of regions) {
      const check = synth.named(`VerdictExample${name}`);
      // Derived from the secret, the path is itself a Pulumi secret (encrypted in the stack's state).
      const path = check.inputs.resourcePath as { value?: unknown };
      expect(path.value).toBe("/v1/test-VerdictPathSecret/health/example/okta");
      expect(check.inputs).toMatchObject({
        type: "HTTPS",
        invertHealthcheck: true,
        port: 443,
        fqdn: `verdict${name.toLowerCase()}url.lambda-url.${region}.on.aws`,
        requestInterval: 30,
        failureThreshold: 2,
        regions: ["us-east-1", "us-west-2", "eu-west-1"],
      });
    }
    expect(checks().filter((c) => c.inputs.type === "HTTPS")).toHaveLength(3);
  });

  it("reserves concurrency for each region's verdict function, so a flood neither starves the probe nor withdraws anything", () => {
    for (const [region, name] of regions) {
      const verdict = synth.named(`Verdict${name}Function`);
      expect(verdict.region).toBe(region);
      expect(verdict.inputs.reservedConcurrentExecutions).toBe(5);
    }
  });

  it("applies the quorum in a calculated check over the three regional checks", () => {
    const quorum = synth.named("QuorumExample");
    expect(quorum.inputs.type).toBe("CALCULATED");
    expect(quorum.inputs.childHealthThreshold).toBe(2);
    expect([...(quorum.inputs.childHealthchecks as string[])].sort()).toEqual(
      regions.map(([, name]) => `VerdictExample${name}-id`).sort(),
    );
  });

  it("attaches the quorum check to the primary's weighted record only, and lets the state machine own weights", () => {
    const okta = synth.named("LoginExampleOkta");
    const entra = synth.named("LoginExampleEntra");
    expect(okta.inputs).toMatchObject({
      name: "login.example.com",
      type: "CNAME",
      setIdentifier: "okta",
      healthCheckId: "QuorumExample-id",
      weightedRoutingPolicies: [{ weight: 100 }],
      records: ["okta.idp.example.com"],
      allowOverwrite: true,
    });
    expect(entra.inputs.healthCheckId).toBeUndefined();
    expect(entra.inputs.weightedRoutingPolicies).toEqual([{ weight: 0 }]);
  });
});

describe("notifications", () => {
  it("runs one delivery at a time, however many events arrive at once", () => {
    expect(synth.named("NotifyFunction").inputs.reservedConcurrentExecutions).toBe(1);
  });
});

describe("control plane", () => {
  // A function linked to secrets has its ARN marked secret: Pulumi's mocks then pass `{ <sig>, value }`.
  const ruleTarget = (rule: string) => {
    const arn = synth.named(`${rule}Target`).inputs.arn;
    return typeof arn === "object" && arn !== null && "value" in arn ? arn.value : arn;
  };

  it("wakes the evaluator on the probes' events and notify on the domain events the adapters publish", () => {
    expect(JSON.parse(String(synth.named("EvaluateOnProbe").inputs.eventPattern))).toEqual({
      source: [probeEventSource],
    });
    expect(ruleTarget("EvaluateOnProbe")).toMatch(/EvaluateFunction$/);
    expect(JSON.parse(String(synth.named("NotifyOnEvent").inputs.eventPattern))).toEqual({
      source: [eventSource],
    });
    expect(ruleTarget("NotifyOnEvent")).toMatch(/NotifyFunction$/);
  });

  it("alarms on the probe-result age the evaluator publishes, past 3 minutes or when it stops", () => {
    expect(synth.named("NoProbeResults").inputs).toMatchObject({
      namespace: metricsNamespace,
      metricName: metricNames.probeResultAgeSeconds,
      dimensions: { service: serviceName },
      threshold: 180,
      treatMissingData: "breaching",
    });
  });

  it("alarms on a notification given up on, which the notify function counts", () => {
    expect(synth.named("NotificationsAbandoned").inputs).toMatchObject({
      namespace: metricsNamespace,
      metricName: metricNames.deliveriesAbandoned,
      dimensions: { service: serviceName },
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  });
});

describe("the monthly report", () => {
  it("fires on the 1st with the firing time in its event: the month it reports and its idempotency key", () => {
    const schedule = synth.named("ReportScheduleSchedule").inputs;
    expect(schedule.scheduleExpression).toBe("cron(0 6 1 * ? *)");
    // The target holds a secret-linked function's ARN, so Pulumi's mocks wrap it as `{ <sig>, value }`.
    const target = schedule.target as { value?: { input: string }; input?: string };
    const input = target.value?.input ?? target.input ?? "";
    expect(JSON.parse(input)).toEqual({ scheduledAt: "<aws.scheduler.scheduled-time>" });
  });

  it("may keep its idempotency record and where it posted in the home table, and nothing more", () => {
    const table = statementsOf("ReportRole").find((s) => s.actions?.some((a) => a.startsWith("dynamodb:")));
    expect(table?.actions?.sort()).toEqual([
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
    ]);
  });
});

describe("least privilege", () => {
  const all = () =>
    synth
      .ofType("aws:iam/role:Role")
      .flatMap((role) => statementsOf(role.name).map((s) => ({ role: role.name, s })));

  it("changes records only in the site's zone, only UPSERTs, only of the login hostname", () => {
    const changes = statementsOf("EvaluateRole").filter((s) =>
      s.actions?.includes("route53:ChangeResourceRecordSets"),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        resources: ["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"],
        conditions: expect.arrayContaining([
          {
            test: "ForAllValues:StringEquals",
            variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
            values: ["login.example.com"],
          },
          {
            test: "ForAllValues:StringEquals",
            variable: "route53:ChangeResourceRecordSetsActions",
            values: ["UPSERT"],
          },
        ]),
      }),
    ]);
  });

  it("gives Route 53 rights only to what moves weights (evaluator, Slack approvals)", () => {
    const holders = new Set(
      all()
        .filter(({ s }) => s.actions?.some((a) => a.startsWith("route53:")))
        .map((x) => x.role),
    );
    expect([...holders].sort()).toEqual(["EvaluateRole", "SlackInteractionsRole"]);
  });

  it("uses no '*' resource, and DynamoDB and EventBridge only on their own table and bus", () => {
    for (const { role, s } of all()) {
      if (!s.resources) continue;
      expect(s.resources, role).not.toContain("*");
      if (s.actions?.some((a) => a.startsWith("dynamodb:"))) {
        for (const arn of s.resources)
          expect(arn, role).toMatch(/:dynamodb\/table\/(Table|DataPlane\w+)(\/index\/\*)?$/);
      }
      if (s.actions?.includes("events:PutEvents"))
        expect(s.resources, role).toEqual([expect.stringMatching(/eventBus\/Bus$/)]);
    }
  });

  it("lets the verdict endpoint only read its own region's data-plane table", () => {
    expect(statementsOf("VerdictUsWest2Role")).toEqual([
      expect.objectContaining({
        actions: ["dynamodb:GetItem"],
        resources: [expect.stringMatching(/us-west-2.*DataPlaneUsWest2$/)],
      }),
    ]);
  });
});

describe("identity continuity readiness", () => {
  it("runs each site with continuity once a day, passing the site, with the SDKs installed beside the bundle", () => {
    const fn = synth.named("ReadinessFunction");
    expect(fn.inputs).toMatchObject({
      memorySize: 1024,
      timeout: 900,
      runtime: lambdaRuntime.runtime,
      architectures: ["arm64"],
    });
    const schedule = synth.named("ReadinessScheduleExampleSchedule");
    expect(String(schedule.inputs.scheduleExpression)).toMatch(/^cron\(\d{1,2} [45] \* \* \? \*\)$/);
    // The target is a secret-wrapped output in the mocks: its value holds the function and the event.
    const target = schedule.inputs.target as { value: { arn: string; input: string } };
    expect(target.value.arn).toContain("ReadinessFunction");
    expect(JSON.parse(target.value.input)).toEqual({
      site: "example",
      scheduledAt: "<aws.scheduler.scheduled-time>",
    });
    const build = synth.builds.find((b) => b.functionID === "Readiness");
    expect(build?.properties).toMatchObject({
      install: { "@okta/okta-sdk-nodejs": "*", "@microsoft/microsoft-graph-client": "*" },
    });
  });

  it("reads and writes the home table only", () => {
    const statements = statementsOf("ReadinessRole");
    expect(statements.flatMap((s) => s.actions ?? []).every((a) => a.startsWith("dynamodb:"))).toBe(true);
    expect(statements.flatMap((s) => s.resources ?? [])).toEqual([
      expect.stringMatching(/:dynamodb\/table\/Table$/),
    ]);
  });
});

describe("secrets", () => {
  it("links each secret only to the functions that read it", () => {
    expect(linksOf("ProbeUsEast1")).toEqual([
      "EntraProbeClientSecret",
      "IdpFailover",
      "OktaApiToken",
      "OktaProbeClientSecret",
    ]);
    expect(linksOf("Notify")).toEqual(["IdpFailover", "SlackBotToken", "WebhookPagerdutySecret"]);
    expect(linksOf("SlackInteractions")).toEqual(["IdpFailover", "SlackBotToken", "SlackSigningSecret"]);
    expect(linksOf("Evaluate")).toEqual(["IdpFailover"]);
    expect(linksOf("Report")).toEqual(["EntraProbeClientSecret", "IdpFailover", "SlackBotToken"]);
    expect(linksOf("VerdictEuWest1")).toEqual(["IdpFailoverVerdicts", "VerdictPathSecret"]);
    expect(linksOf("Readiness")).toEqual(["EntraReadinessClientSecret", "IdpFailover", "OktaReadinessToken"]);
  });

  it("ships the config document itself to the functions, to be parsed at cold start", () => {
    const build = synth.builds.find((b) => b.functionID === "Evaluate");
    const links = (build?.links ?? {}) as Record<string, { config: { sites: Array<{ id: string }> } }>;
    const link = links.IdpFailover;
    expect(link?.config.sites.map((s) => s.id)).toEqual(["example"]);
  });

  it("runs every function on Node.js 24, arm64, the runtime package.json's engines and our bundles name", () => {
    const functions = synth.ofType("aws:lambda/function:Function");
    expect(functions.length).toBeGreaterThanOrEqual(8);
    for (const fn of functions) {
      expect({ name: fn.name, runtime: fn.inputs.runtime, architectures: fn.inputs.architectures }).toEqual({
        name: fn.name,
        runtime: "nodejs24.x",
        architectures: ["arm64"],
      });
    }
    expect(lambdaRuntime).toMatchObject({ runtime: "nodejs24.x", esbuildTarget: "node24" });
    const engines = (
      JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    expect(engines.split("||").map((range) => range.trim())).toContain("^24");
  });

  it("bundles every function without the AWS SDK (the Node.js 24 runtime has it)", () => {
    for (const build of synth.builds) {
      expect(build.properties).toMatchObject({ minify: true, esbuild: { external: ["@aws-sdk/*"] } });
    }
  });
});

describe("type-check", () => {
  it("type-checks sst.config.ts and stacks/ against SST's platform types", () => {
    const run = () =>
      execFileSync(
        process.execPath,
        [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "stacks/tsconfig.json"],
        {
          cwd: repoRoot,
          encoding: "utf8",
        },
      );
    expect(run).not.toThrow();
  }, 60_000);
});

describe("outputs", () => {
  it("returns the verdict URLs per region and the table name", () => {
    expect(synth.outputs.table).toBe("idp-failover-ci");
    expect(Object.keys(synth.outputs.verdictUrls as Record<string, string>).sort()).toEqual([
      "eu-west-1",
      "us-east-1",
      "us-west-2",
    ]);
  });
});
