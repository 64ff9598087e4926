import { testConfigInput } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { DeploymentConfigError, readDeployment } from "./deployment.js";
import { sstSecretName } from "./secret-names.js";

/* How a function learns its deployment: SST's links (config, home resources, secrets) and its region. */

const document = testConfigInput();
const home = { region: "us-east-1", tableName: "idp-failover", eventBusName: "idp-failover" };

describe("readDeployment", () => {
  it("parses the linked config, finds the home resources, this region's resources and linked secrets", () => {
    const deployment = readDeployment(
      { IdpFailover: { config: document, home }, SlackBotToken: { value: "xoxb-1" } },
      {
        AWS_REGION: "eu-west-1",
        IDP_FAILOVER_DATA_PLANE_TABLE: "data-plane",
        IDP_FAILOVER_PROBE_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/ticks",
      },
    );
    expect(deployment.config.sites.map((s) => s.id)).toEqual(["acme"]);
    expect(deployment.home).toEqual(home);
    expect(deployment).toMatchObject({
      region: "eu-west-1",
      dataPlaneTable: "data-plane",
      probeQueueUrl: "https://sqs.eu-west-1.amazonaws.com/1/ticks",
    });
    expect(deployment.secret("SLACK_BOT_TOKEN")).toBe("xoxb-1");
    expect(deployment.secret("SLACK_SIGNING_SECRET")).toBeUndefined();
  });

  it("redacts every secret it holds: the config's, and linked ones the config does not name", () => {
    // Prepare
    const deployment = readDeployment(
      {
        IdpFailover: { config: document, home },
        SlackBotToken: { value: "xoxb-123-456-abcdef" },
        VerdictPathSecret: { value: "3f9a0c1d2e4b5a6978" },
      },
      {},
    );

    // Act
    const text = deployment.redactor.text("token xoxb-123-456-abcdef path /v1/3f9a0c1d2e4b5a6978/health");

    // Assess
    expect(text).toBe("token [redacted] path /v1/[redacted]/health");
  });

  it("refuses to start on an invalid config, naming every problem", () => {
    const bad = { ...document, regions: ["mars-1"], sites: [{ id: "Acme" }] };
    let thrown: unknown;
    try {
      readDeployment({ IdpFailover: { config: bad, home } }, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeploymentConfigError);
    const paths = (thrown as DeploymentConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["regions.0", "sites.0.id", "sites.0.hostname"]));
  });

  it("refuses a missing or malformed link", () => {
    expect(() => readDeployment({}, {})).toThrow(/IdpFailover link is missing or malformed/);
    expect(() => readDeployment({ IdpFailover: { config: document, home: { region: "" } } }, {})).toThrow(
      DeploymentConfigError,
    );
  });

  it("treats an empty secret as not set", () => {
    const deployment = readDeployment(
      { IdpFailover: { config: document, home }, SlackBotToken: { value: "" } },
      {},
    );
    expect(deployment.secret("SLACK_BOT_TOKEN")).toBeUndefined();
  });
});

describe("sstSecretName", () => {
  it("turns a config's secret reference into the name `sst secret set` takes", () => {
    expect(sstSecretName("OKTA_PROBE_CLIENT_SECRET")).toBe("OktaProbeClientSecret");
    expect(sstSecretName("webhook-pagerduty.secret")).toBe("WebhookPagerdutySecret");
    expect(sstSecretName("2FA_KEY")).toBe("Secret2faKey");
  });
});
