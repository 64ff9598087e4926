import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { ProbeShard } from "@idp-failover/core";
import type { ProbeMessageOutcome } from "@idp-failover/orchestration/probe-round";
import { describe, expect, it, vi } from "vitest";
import { metricNames } from "./observability.js";
import { recordDeliveries, recordProbeMessage } from "./telemetry.js";

/* What an operator reads in CloudWatch about a fanned-out round (the words are decided in telemetry.ts). */

const shard = (index: number): ProbeShard => ({ index, count: 3, sites: [`site-${index}`] });

function recorded(index: number, answeredMs: number) {
  return {
    kind: "recorded" as const,
    shard: shard(index),
    answeredMs,
    round: { region: "eu-west-1", at: 0, results: [] },
    recorded: {
      sites: [],
      changes: [],
      trackers: [],
      writes: { trackers: 0, resultRounds: 0, heartbeat: true },
    },
    dataPlaneWrites: 0,
  };
}

describe("a probe round in the log", () => {
  it("names the shard that answered last and each silent shard with its error", () => {
    // Prepare
    const logger = new Logger({ serviceName: "test" });
    const info = vi.spyOn(logger, "info").mockImplementation(() => undefined);
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const outcome: ProbeMessageOutcome = {
      kind: "probed",
      tick: 0,
      nextTick: 10_000,
      shards: [
        recorded(0, 2_100),
        recorded(1, 3_400),
        { kind: "silent", shard: shard(2), answeredMs: 22_000, error: new Error("worker crashed") },
      ],
      results: [],
      changes: [],
      dataPlaneWrites: 0,
    };
    // Act
    recordProbeMessage(outcome, logger, new Metrics({ namespace: "Test", serviceName: "test" }));
    // Assess
    expect(info).toHaveBeenCalledWith(
      "probe round",
      expect.objectContaining({
        shards: 3,
        slowestShard: "shard 2 of 3",
        slowestShardMs: 3_400,
        silentShards: 1,
      }),
    );
    expect(error).toHaveBeenCalledWith(
      "probe shard silent",
      expect.objectContaining({ shard: "shard 3 of 3", sites: 1, afterMs: 22_000 }),
    );
  });
});

describe("a delivery run in the log and metrics", () => {
  it("counts abandoned deliveries for the alarm, logs them as errors and retries as warnings", () => {
    // Prepare
    const logger = new Logger({ serviceName: "test" });
    const warn = vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const metrics = new Metrics({ namespace: "Test", serviceName: "test" });
    const addMetric = vi.spyOn(metrics, "addMetric").mockImplementation(() => metrics);
    const result = (outcome: "delivered" | "retry" | "abandoned", channel: string) => ({
      channel,
      intentId: `acme:1:${channel}`,
      kind: "failed-over",
      outcome,
    });
    // Act
    recordDeliveries(
      {
        results: [
          result("delivered", "slack"),
          result("retry", "teams"),
          { ...result("abandoned", "webhook:ops"), error: "ops: refused: 10.0.0.5 is a private address" },
          result("abandoned", "pagerduty"),
        ],
        skipped: 0,
      },
      logger,
      metrics,
    );
    // Assess
    expect(addMetric).toHaveBeenCalledWith(metricNames.deliveriesAbandoned, "Count", 2);
    expect(error).toHaveBeenCalledWith(
      "delivery abandoned",
      expect.objectContaining({ channel: "webhook:ops", error: expect.stringContaining("refused") }),
    );
    expect(warn).toHaveBeenCalledWith("delivery not done", expect.objectContaining({ channel: "teams" }));
  });

  it("publishes nothing when nothing was abandoned (a quiet month costs no metric)", () => {
    const logger = new Logger({ serviceName: "test" });
    vi.spyOn(logger, "warn").mockImplementation(() => undefined);
    const metrics = new Metrics({ namespace: "Test", serviceName: "test" });
    const addMetric = vi.spyOn(metrics, "addMetric").mockImplementation(() => metrics);
    recordDeliveries({ results: [], skipped: 0 }, logger, metrics);
    expect(addMetric).not.toHaveBeenCalled();
  });
});
