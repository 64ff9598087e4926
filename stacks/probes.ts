import { dataPlaneSites, functionSizing } from "@idp-failover/core";
import { regionEnvironment } from "../functions/wiring/deployment-names";
import { functionDefaults } from "./defaults";
import { secretsFor, verdictPathSecret } from "./secrets";
import { componentName, type SiteConfig, secretRefs } from "./site-config";
import { keyAttributes, keyedTable, type Storage } from "./storage";

/*
 * Per probe region, with its own `aws.Provider`:
 *   - the probe function (arm64, sized by core's `functionSizing`, reserved concurrency 1) driven by a
 *     chain of delayed SQS messages, one per round at the policy's cadence, and a one-minute CronV2
 *     that re-seeds the chain if a link was lost (see packages/orchestration/src/probe-round.ts;
 *     docs/deploy.md has the costs);
 *   - when the region's sites are split into shards (core's `probeFanout`, from the same config), the
 *     shard worker function: the probe function invokes it once per shard and round, and may invoke
 *     nothing else; its reserved concurrency (twice the shards) caps it and keeps it from the
 *     account's other functions (docs/probes.md, "Fan-out");
 *   - when any site has a data plane (`sites[].dataPlane`, docs/deploy.md "Tiers"): a small
 *     data-plane table the probe writes after each round and nothing else writes, and the verdict
 *     function with its Function URL, which reads only that table, answers only paths with the
 *     deployment's secret, and has reserved concurrency (a flood cannot starve the probe or the
 *     evaluator, and what it throttles the inverted checks read as "keep"). A deployment whose sites
 *     all fail over through the control plane alone has neither, nor the VerdictPathSecret.
 */

export interface ProbeRegion {
  region: string;
  provider: aws.Provider;
  probe: sst.aws.Function;
  /** The shard worker, when the region's sites are split. */
  probeShard?: sst.aws.Function;
  queue: aws.sqs.Queue;
  /** The verdict endpoint and its table, when any site has a data plane. */
  dataPlane?: { verdict: sst.aws.Function; verdictUrl: $util.Output<string>; table: aws.dynamodb.Table };
}

export function probes(site: SiteConfig, storage: Storage): ProbeRegion[] {
  const { config } = site;
  const secrets = secretsFor(secretRefs(config).probe);
  const sizing = functionSizing(config);
  const timeout = sizing.probe.timeoutSeconds;
  const withDataPlane = dataPlaneSites(config).length > 0;
  return config.regions.map((region) => {
    const name = componentName(region);
    const provider = new aws.Provider(`Aws${name}`, { region: region as aws.Region });
    const opts = { provider };

    const dataPlaneTable = withDataPlane
      ? new aws.dynamodb.Table(`DataPlane${name}`, { ...keyedTable, attributes: keyAttributes }, opts)
      : undefined;
    const queue = new aws.sqs.Queue(
      `ProbeTicks${name}`,
      {
        // A tick older than a few rounds is worth nothing: the chain has moved on.
        messageRetentionSeconds: 300,
        visibilityTimeoutSeconds: timeout + 30,
        receiveWaitTimeSeconds: 20,
      },
      opts,
    );

    // Vendor SDKs load only for okta-api / graph-health probes: shipped as node_modules, not bundled.
    const probeNodejs = {
      ...functionDefaults.nodejs,
      install: ["@okta/okta-sdk-nodejs", "@microsoft/microsoft-graph-client"],
    };
    const shardSize = sizing.probeShard;
    const probeShard = shardSize
      ? new sst.aws.Function(
          `ProbeShard${name}`,
          {
            ...functionDefaults,
            handler: "functions/src/probe-shard.handler",
            description: `idp-failover probe shard worker in ${region} (one shard of the sites per call)`,
            memory: `${shardSize.memoryMb} MB`,
            timeout: `${shardSize.timeoutSeconds} seconds`,
            concurrency: { reserved: shardSize.reservedConcurrency ?? 1 },
            nodejs: probeNodejs,
            // The config (in the deployment link) and the probe secrets; it writes nothing.
            link: [storage.link, ...secrets],
          },
          opts,
        )
      : undefined;

    const probe = new sst.aws.Function(
      `Probe${name}`,
      {
        ...functionDefaults,
        handler: "functions/src/probe.handler",
        description: `idp-failover probe rounds in ${region}`,
        memory: `${sizing.probe.memoryMb} MB`,
        timeout: `${timeout} seconds`,
        concurrency: { reserved: 1 },
        nodejs: probeNodejs,
        link: [storage.link, ...secrets],
        environment: {
          ...(dataPlaneTable ? { [regionEnvironment.dataPlaneTable]: dataPlaneTable.name } : {}),
          [regionEnvironment.probeQueueUrl]: queue.url,
          ...(probeShard ? { [regionEnvironment.probeShardFunction]: probeShard.name } : {}),
        },
        permissions: [
          {
            actions: ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:GetItem"],
            resources: [storage.home.tableArn],
          },
          ...(dataPlaneTable ? [{ actions: ["dynamodb:PutItem"], resources: [dataPlaneTable.arn] }] : []),
          {
            actions: [
              "sqs:SendMessage",
              "sqs:ReceiveMessage",
              "sqs:DeleteMessage",
              "sqs:GetQueueAttributes",
              "sqs:ChangeMessageVisibility",
            ],
            resources: [queue.arn],
          },
          { actions: ["events:PutEvents"], resources: [storage.home.eventBusArn] },
          ...(probeShard ? [{ actions: ["lambda:InvokeFunction"], resources: [probeShard.arn] }] : []),
        ],
      },
      opts,
    );
    new aws.lambda.EventSourceMapping(
      `ProbeTicksSubscription${name}`,
      { eventSourceArn: queue.arn, functionName: probe.name, batchSize: 1, enabled: true },
      opts,
    );
    new sst.aws.CronV2(
      `ProbeWatchdog${name}`,
      { schedule: "rate(1 minute)", function: probe.arn, event: { kind: "watchdog" } },
      opts,
    );

    if (!dataPlaneTable) return { region, provider, probe, ...(probeShard ? { probeShard } : {}), queue };
    const verdict = new sst.aws.Function(
      `Verdict${name}`,
      {
        ...functionDefaults,
        handler: "functions/src/verdict.handler",
        description: `idp-failover data-plane verdicts in ${region} (Route 53 health checks poll it)`,
        memory: `${sizing.verdict.memoryMb} MB`,
        timeout: `${sizing.verdict.timeoutSeconds} seconds`,
        concurrency: { reserved: sizing.verdict.reservedConcurrency ?? 5 },
        url: true,
        link: [storage.verdictLink, verdictPathSecret()],
        environment: { [regionEnvironment.dataPlaneTable]: dataPlaneTable.name },
        permissions: [{ actions: ["dynamodb:GetItem"], resources: [dataPlaneTable.arn] }],
      },
      opts,
    );
    return {
      region,
      provider,
      probe,
      ...(probeShard ? { probeShard } : {}),
      queue,
      dataPlane: { verdict, verdictUrl: verdict.url, table: dataPlaneTable },
    };
  });
}
