/// <reference path="./.sst/platform/config.d.ts" />

/*
 * idp-failover: `npx sst deploy --stage prod` deploys what the site config describes (see
 * docs/deploy.md). The stacks live in stacks/, one file per concern; this file only wires them.
 */
export default $config({
  async app(input) {
    const { loadSiteConfig } = await import("./stacks/site-config");
    const { config } = loadSiteConfig();
    return {
      name: "idp-failover",
      home: "aws",
      removal: input?.stage === "prod" ? "retain" : "remove",
      protect: input?.stage === "prod",
      providers: { aws: { region: config.homeRegion as aws.Region } },
    };
  },
  async run() {
    const { loadSiteConfig } = await import("./stacks/site-config");
    const { storage } = await import("./stacks/storage");
    const { probes } = await import("./stacks/probes");
    const { control } = await import("./stacks/control");
    const { dns } = await import("./stacks/dns");
    const { slack } = await import("./stacks/slack");
    const { reports } = await import("./stacks/reports");
    const { readiness } = await import("./stacks/readiness");

    const site = loadSiteConfig();
    const home = storage(site);
    const regions = probes(site, home);
    const controlPlane = control(site, home);
    const records = dns(site, regions);
    const slackApp = slack(site, home);
    reports(site, home);
    readiness(site, home);

    return {
      table: home.table.name,
      eventBus: home.eventBus.name,
      alarmsTopic: controlPlane.alarms.arn,
      verdictUrls: Object.fromEntries(
        regions.flatMap((r) => (r.dataPlane ? [[r.region, r.dataPlane.verdictUrl]] : [])),
      ),
      healthChecks: Object.fromEntries(
        records.flatMap((r) => (r.calculated ? [[r.site, r.calculated.id]] : [])),
      ),
      ...(slackApp ? { slackInteractionsUrl: slackApp.url } : {}),
    };
  },
});
