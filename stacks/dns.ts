import { checkedVerdictPath, dataPlaneSettings, healthCheckedRecords, primaryOf } from "@idp-failover/core";
import type { ProbeRegion } from "./probes";
import { verdictPathSecret } from "./secrets";
import { componentName, type SiteConfig } from "./site-config";

/*
 * The data plane in Route 53. For each site's primary: one HTTPS health check per probe region on
 * that region's verdict URL, and a calculated check that is healthy while at least
 * regions - quorum + 1 of them are (so `quorum` regions saying down makes it unhealthy). The
 * endpoint checks are inverted (only the endpoint's "withdraw" answer makes them unhealthy; a
 * throttle, a timeout or an error keeps the primary in), need `failureThreshold` (>= 2) answers in a
 * row, and request the path with the deployment's secret (see core's data-plane.ts). The
 * weighted records of the login hostname are created (or adopted: `allowOverwrite`) with the
 * calculated check on the primary's record only; the state machine owns the weights from then on,
 * so `ignoreChanges` keeps deploys from ever setting them back.
 */
export function dns(site: SiteConfig, regions: ProbeRegion[]) {
  const { config } = site;
  const settings = dataPlaneSettings(config);
  const checked = new Map(healthCheckedRecords(config).map((r) => [r.site, r]));
  return config.sites.map((s) => {
    const record = checked.get(s.id);
    const id = componentName(s.id);
    let calculated: aws.route53.HealthCheck | undefined;
    if (record) {
      const children = regions.map(
        (r) =>
          new aws.route53.HealthCheck(`Verdict${id}${componentName(r.region)}`, {
            type: record.searchString ? "HTTPS_STR_MATCH" : "HTTPS",
            ...(record.searchString ? { searchString: record.searchString } : {}),
            invertHealthcheck: record.inverted,
            fqdn: r.verdictUrl.apply((url) => new URL(url).host),
            port: 443,
            resourcePath: verdictPathSecret().value.apply((secret) =>
              checkedVerdictPath(s.id, record.provider, secret),
            ),
            enableSni: true,
            requestInterval: settings.healthCheckIntervalSeconds,
            failureThreshold: settings.failureThreshold,
            regions: settings.checkerRegions,
            tags: { Name: `idp-failover ${s.id} ${record.provider} ${r.region}` },
          }),
      );
      calculated = new aws.route53.HealthCheck(`Quorum${id}`, {
        type: "CALCULATED",
        childHealthchecks: children.map((c) => c.id),
        childHealthThreshold: record.healthThreshold,
        tags: { Name: `idp-failover ${s.id} ${record.provider} quorum` },
      });
    }
    const primary = primaryOf(s);
    const records = s.providers.map(
      (provider) =>
        new aws.route53.Record(
          `Login${id}${componentName(provider.id)}`,
          {
            zoneId: s.hostedZoneId,
            name: s.hostname,
            type: s.recordType,
            ttl: s.ttl,
            records: [provider.dnsTarget],
            setIdentifier: provider.setIdentifier,
            weightedRoutingPolicies: [{ weight: provider.id === primary.id ? 100 : 0 }],
            ...(calculated && provider.id === primary.id ? { healthCheckId: calculated.id } : {}),
            allowOverwrite: true,
          },
          { ignoreChanges: ["weightedRoutingPolicies"] },
        ),
    );
    return { site: s.id, calculated, records };
  });
}
