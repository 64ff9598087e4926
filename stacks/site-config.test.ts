import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { route53Permissions } from "./iam";
import { componentName, loadSiteConfig, SiteConfigError, secretRefs } from "./site-config";

/* The config file drives the stacks: read, checked (a bad one stops the deploy), and mined for names. */

const site = (id: string, hostname: string, zone = "Z0ACME") => ({
  id,
  hostname,
  hostedZoneId: zone,
  providers: [
    {
      id: "okta",
      kind: "okta",
      issuer: `https://${id}.okta.com`,
      dnsTarget: `${id}.okta.example`,
      probes: [
        { kind: "token", clientId: "0oa1", clientSecretRef: "OKTA_PROBE_CLIENT_SECRET", scope: "openid" },
      ],
    },
    { id: "entra", kind: "oidc", issuer: `https://${id}.entra.example`, dnsTarget: `${id}.azurefd.net` },
  ],
});

function configFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "idp-stacks-")), name);
  writeFileSync(file, text);
  return file;
}

describe("loadSiteConfig", () => {
  it("reads the file IDP_FAILOVER_CONFIG names, YAML or JSON", () => {
    const document = {
      alerting: { webhooks: [{ name: "pd", url: "https://hooks.example/x", secretRef: "PD_KEY" }] },
      sites: [site("acme", "login.acme.example")],
    };
    const yaml = loadSiteConfig({ IDP_FAILOVER_CONFIG: configFile("c.yaml", JSON.stringify(document)) });
    const json = loadSiteConfig({ IDP_FAILOVER_CONFIG: configFile("c.json", JSON.stringify(document)) });
    expect(yaml.config.sites.map((s) => s.id)).toEqual(["acme"]);
    expect(json.document).toEqual(document);
  });

  it("stops the deploy on a config with problems, listing every one", () => {
    const file = configFile("bad.yaml", "regions: [mars-1]\nsites:\n  - id: Acme\n");
    expect(() => loadSiteConfig({ IDP_FAILOVER_CONFIG: file })).toThrow(SiteConfigError);
    expect(() => loadSiteConfig({ IDP_FAILOVER_CONFIG: file })).toThrow(
      /bad\.yaml: \d+ problem\(s\)\n {2}regions\.0: [^\n]+\n[\s\S]*sites\.0\.id: [\s\S]*sites\.0\.hostname: /,
    );
  });

  it("names the file that does not parse", () => {
    const yaml = configFile("broken.yaml", "sites: [\n");
    expect(() => loadSiteConfig({ IDP_FAILOVER_CONFIG: yaml })).toThrow(/broken\.yaml is not valid YAML: /);
    const json = configFile("broken.json", "{");
    expect(() => loadSiteConfig({ IDP_FAILOVER_CONFIG: json })).toThrow(/broken\.json is not valid JSON: /);
  });

  it("says which file it could not read and how to make one", () => {
    expect(() => loadSiteConfig({ IDP_FAILOVER_CONFIG: "/nonexistent/idp.yaml" })).toThrow(
      /cannot read \/nonexistent\/idp\.yaml: ENOENT: set IDP_FAILOVER_CONFIG/,
    );
  });
});

describe("names from the config", () => {
  it("turns regions and ids into component names", () => {
    expect(componentName("us-east-1")).toBe("UsEast1");
    expect(componentName("acme-eu")).toBe("AcmeEu");
  });

  it("sorts the secret references by the functions that read them", () => {
    const { config } = loadSiteConfig({
      IDP_FAILOVER_CONFIG: configFile(
        "c.json",
        JSON.stringify({
          alerting: {
            slack: { channel: "#idp", botTokenRef: "SLACK_BOT_TOKEN", signingSecretRef: "SLACK_SIGNING" },
            webhooks: [{ name: "pd", url: "https://hooks.example/x", secretRef: "PD_KEY" }],
          },
          sites: [site("acme", "login.acme.example")],
        }),
      ),
    });
    expect(secretRefs(config)).toEqual({
      probe: ["OKTA_PROBE_CLIENT_SECRET"],
      readiness: [],
      slack: ["SLACK_BOT_TOKEN", "SLACK_SIGNING"],
      slackBots: ["SLACK_BOT_TOKEN"],
      deploymentSlackBot: ["SLACK_BOT_TOKEN"],
      webhooks: ["PD_KEY"],
      vendorChannels: [],
    });
  });

  it("adds the sites' own Slack apps and webhooks to the functions that send and answer for them", () => {
    const { config } = loadSiteConfig({
      IDP_FAILOVER_CONFIG: configFile(
        "c.json",
        JSON.stringify({
          alerting: { slack: { channel: "#noc" } },
          sites: [
            {
              ...site("acme", "login.acme.example"),
              alerting: {
                slack: { channel: "#acme", botTokenRef: "ACME_BOT", signingSecretRef: "ACME_SIGNING" },
                webhooks: [{ name: "pd", url: "https://hooks.example/acme", secretRef: "ACME_PD_KEY" }],
              },
            },
            { ...site("globex", "login.globex.example"), alerting: { slack: { channel: "#globex" } } },
          ],
        }),
      ),
    });
    expect(secretRefs(config)).toMatchObject({
      slack: ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "ACME_BOT", "ACME_SIGNING"],
      slackBots: ["SLACK_BOT_TOKEN", "ACME_BOT"],
      deploymentSlackBot: ["SLACK_BOT_TOKEN"],
      webhooks: ["ACME_PD_KEY"],
    });
  });

  it("gives notify the PagerDuty routing keys and Teams workflow URLs, the deployment's and the sites' own", () => {
    const { config } = loadSiteConfig({
      IDP_FAILOVER_CONFIG: configFile(
        "c.json",
        JSON.stringify({
          alerting: { pagerduty: { routingKeyRef: "PD_NOC_KEY" } },
          sites: [
            {
              ...site("acme", "login.acme.example"),
              alerting: {
                pagerduty: { routingKeyRef: "PD_ACME_KEY" },
                teams: { webhookUrlRef: "ACME_TEAMS_URL" },
              },
            },
            site("globex", "login.globex.example"),
          ],
        }),
      ),
    });
    expect(secretRefs(config).vendorChannels).toEqual(["ACME_TEAMS_URL", "PD_ACME_KEY", "PD_NOC_KEY"]);
  });
});

describe("route53Permissions", () => {
  it("allows UPSERTs of the login hostnames only, per hosted zone, names normalized", () => {
    const { config } = loadSiteConfig({
      IDP_FAILOVER_CONFIG: configFile(
        "c.json",
        JSON.stringify({
          alerting: {},
          sites: [
            site("acme", "Login.Acme.example"),
            site("globex", "login.globex.example"),
            site("initech", "login.initech.example", "Z0OTHER"),
          ],
        }),
      ),
    });
    const [acmeZone, otherZone, list, change] = route53Permissions(config);
    expect(acmeZone).toEqual({
      actions: ["route53:ChangeResourceRecordSets"],
      resources: ["arn:aws:route53:::hostedzone/Z0ACME"],
      conditions: [
        {
          test: "ForAllValues:StringEquals",
          variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
          values: ["login.acme.example", "login.globex.example"],
        },
        {
          test: "ForAllValues:StringEquals",
          variable: "route53:ChangeResourceRecordSetsActions",
          values: ["UPSERT"],
        },
      ],
    });
    expect(otherZone?.resources).toEqual(["arn:aws:route53:::hostedzone/Z0OTHER"]);
    expect(otherZone?.conditions?.[0]?.values).toEqual(["login.initech.example"]);
    expect(list).toEqual({
      actions: ["route53:ListResourceRecordSets"],
      resources: ["arn:aws:route53:::hostedzone/Z0ACME", "arn:aws:route53:::hostedzone/Z0OTHER"],
    });
    expect(change).toEqual({ actions: ["route53:GetChange"], resources: ["arn:aws:route53:::change/*"] });
  });
});
