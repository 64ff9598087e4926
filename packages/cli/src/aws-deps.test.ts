import type { Config } from "@idp-failover/core";
import { testConfig } from "@idp-failover/core/testing";
import { describe, expect, it } from "vitest";
import { displayName, resolveAwsSettings } from "./aws-deps.js";

/*
 * Where the operator commands find AWS and who they say the operator is: flags first, then the
 * environment, then the config.
 */

/** The shared two-provider config: home region us-east-1, bus idp-failover. */
const config = (): Config => testConfig();

const env = {
  AWS_ENDPOINT_URL: "http://127.0.0.1:4566",
  AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
  AWS_REGION: "us-west-2",
  IDP_FAILOVER_TABLE: "idp-failover-staging",
};

describe("resolveAwsSettings", () => {
  it("takes each service's endpoint from AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL", () => {
    // Act
    const settings = resolveAwsSettings(config(), {}, env);

    // Assess
    expect(settings).toMatchObject({
      endpoints: {
        dynamodb: "http://127.0.0.1:8000",
        route53: "http://127.0.0.1:4566",
        eventbridge: "http://127.0.0.1:4566",
      },
      region: "us-west-2",
      tableName: "idp-failover-staging",
      eventBusName: "idp-failover",
    });
  });

  it("lets --endpoint, --region, --table and --event-bus win over the environment", () => {
    // Act
    const settings = resolveAwsSettings(
      config(),
      { endpoint: "http://localhost:9000", region: "ap-southeast-2", table: "t", eventBus: "b" },
      env,
    );

    // Assess
    expect(settings).toEqual({
      endpoints: {
        dynamodb: "http://localhost:9000",
        route53: "http://localhost:9000",
        eventbridge: "http://localhost:9000",
        sts: "http://localhost:9000",
      },
      region: "ap-southeast-2",
      tableName: "t",
      eventBusName: "b",
    });
  });

  it("falls back to the config's home region, the default table and the SDK's own endpoints", () => {
    // Act
    const settings = resolveAwsSettings(config(), {}, {});

    // Assess
    expect(settings).toEqual({
      endpoints: {},
      region: "us-east-1",
      tableName: "idp-failover",
      eventBusName: "idp-failover",
    });
  });

  it("refuses an --endpoint that is not an http(s) URL, as bad input", () => {
    // Act
    const resolving = () => resolveAwsSettings(config(), { endpoint: "localhost:4566" }, {});

    // Assess
    expect(resolving).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--endpoint/) }),
    );
  });
});

describe("displayName", () => {
  it("prefers --operator, then IDPCTL_OPERATOR, and is absent when neither is given", () => {
    // Act
    const fromFlag = displayName({ operator: "Ana Lima" }, { IDPCTL_OPERATOR: "bo" });
    const fromEnv = displayName({}, { IDPCTL_OPERATOR: "bo" });
    const none = displayName({}, {});

    // Assess
    expect([fromFlag, fromEnv, none]).toEqual(["Ana Lima", "bo", undefined]);
  });

  it("refuses a name the audit trail cannot hold plainly, naming where it came from", () => {
    // Act
    const naming = () => displayName({}, { IDPCTL_OPERATOR: "ana; rm -rf" });

    // Assess
    expect(naming).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^IDPCTL_OPERATOR/) }),
    );
  });
});
