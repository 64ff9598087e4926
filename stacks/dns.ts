import { checkedVerdictPath, dataPlaneSettings, healthCheckedPaths, primaryOf } from "@idp-failover/core";
import type { ProbeRegion } from "./probes";
import { verdictPathSecret } from "./secrets";
import { componentName, type SiteConfig } from "./site-config";

/*
 * The data plane in Route 53. For each health-checked path (a site's primary, or the primary path
 * several sites share): one HTTPS health check per probe region on that region's verdict URL, and a
 * calculated check that is healthy while at least regions - quorum + 1 of them are (so `quorum`
 * regions saying withdraw makes it unhealthy), attached to the primary record of every site on the path.
 * The endpoint checks are inverted (only the endpoint's "withdraw" answer makes them unhealthy; a
 * throttle, a timeout or an error keeps the primary in), need `failureThreshold` (>= 2) answers in a
 * row, and request the path with the deployment's secret (see core's data-plane.ts).
 * The weighted records of the login hostname are created (or adopted: `allowOverwrite`, an UPSERT);
 * the state machine owns the weights from then on, so `ignoreChanges` keeps deploys from ever setting
 * them back, and `retainOnDelete` keeps `sst remove` from deleting the name users sign in at
 * (docs/deploy.md, "Removing the deployment").
 */
export function dns(site: SiteConfig, regions: ProbeRegion[]) {
  const { config } = site;
  const settings = dataPlaneSettings(config);
  const calculatedBySite = new Map<string, aws.route53.HealthCheck>();
  for (const path of healthCheckedPaths(config)) {
    // One site keeps the names it always had; a shared path is named after its host name.
    const only = path.members.length === 1 ? path.members[0] : undefined;
    const id = componentName(only ? only.site : `path-${path.target.replace(/[^a-z0-9]+/g, "-")}`);
    const label = only ? `${only.site} ${only.provider}` : `path ${path.target}`;
    const children = regions.map((r) => {
      // The stacks deploy a verdict endpoint in every region once a site has a data plane.
      if (!r.dataPlane)
        throw new Error(`no verdict endpoint in ${r.region} for the health checks of ${label}`);
      const { verdictUrl } = r.dataPlane;
      return new aws.route53.HealthCheck(`Verdict${id}${componentName(r.region)}`, {
        type: path.searchString ? "HTTPS_STR_MATCH" : "HTTPS",
        ...(path.searchString ? { searchString: path.searchString } : {}),
        invertHealthcheck: path.inverted,
        fqdn: verdictUrl.apply((url) => new URL(url).host),
        port: 443,
        resourcePath: verdictPathSecret().value.apply((secret) => checkedVerdictPath(path.path, secret)),
        enableSni: true,
        requestInterval: settings.healthCheckIntervalSeconds,
        failureThreshold: settings.failureThreshold,
        regions: settings.checkerRegions,
        tags: { Name: `idp-failover ${label} ${r.region}` },
      });
    });
    const calculated = new aws.route53.HealthCheck(`Quorum${id}`, {
      type: "CALCULATED",
      childHealthchecks: children.map((c) => c.id),
      childHealthThreshold: path.healthThreshold,
      tags: { Name: `idp-failover ${label} quorum` },
    });
    for (const member of path.members) calculatedBySite.set(member.site, calculated);
  }
  return config.sites.map((s) => {
    const id = componentName(s.id);
    const calculated = calculatedBySite.get(s.id);
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
          { ignoreChanges: ["weightedRoutingPolicies"], retainOnDelete: true },
        ),
    );
    return { site: s.id, calculated, records };
  });
}
