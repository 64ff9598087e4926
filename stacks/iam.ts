import type { Config } from "@idp-failover/core";
import { tableActions } from "./defaults";
import type { Storage } from "./storage";

/*
 * Route 53 permissions for whatever moves weights (the evaluator, the Slack endpoint's approvals):
 * change record sets only in the sites' hosted zones, only UPSERTs, and only of the login hostnames
 * (the condition key `route53:ChangeResourceRecordSetsNormalizedRecordNames` takes names in lower
 * case without the final dot); read the zones' record sets; read change status (change ids are not
 * known in advance, so `change/*`, which is still narrower than `*`).
 */
export interface Permission {
  actions: string[];
  resources: string[];
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

/** The home table and its index, with the actions the adapters use. */
export function homeTablePermission(storage: Storage) {
  return {
    actions: tableActions,
    resources: [storage.home.tableArn, $interpolate`${storage.home.tableArn}/index/*`],
  };
}

/** Putting events on the home bus. */
export function homeBusPermission(storage: Storage) {
  return { actions: ["events:PutEvents"], resources: [storage.home.eventBusArn] };
}

export function route53Permissions(config: Config): Permission[] {
  const zones = new Map<string, string[]>();
  for (const site of config.sites) {
    const names = zones.get(site.hostedZoneId) ?? [];
    names.push(site.hostname.toLowerCase().replace(/\.$/, ""));
    zones.set(site.hostedZoneId, names);
  }
  const change = [...zones].map(([zone, names]) => ({
    actions: ["route53:ChangeResourceRecordSets"],
    resources: [`arn:aws:route53:::hostedzone/${zone}`],
    conditions: [
      {
        test: "ForAllValues:StringEquals",
        variable: "route53:ChangeResourceRecordSetsNormalizedRecordNames",
        values: [...new Set(names)].sort(),
      },
      {
        test: "ForAllValues:StringEquals",
        variable: "route53:ChangeResourceRecordSetsActions",
        values: ["UPSERT"],
      },
    ],
  }));
  return [
    ...change,
    {
      actions: ["route53:ListResourceRecordSets"],
      resources: [...zones.keys()].map((zone) => `arn:aws:route53:::hostedzone/${zone}`),
    },
    { actions: ["route53:GetChange"], resources: ["arn:aws:route53:::change/*"] },
  ];
}
