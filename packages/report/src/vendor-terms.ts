import type { Provider } from "@idp-failover/core";

/*
 * What each vendor's SLA says, as far as a report needs it: how downtime is defined, how the monthly
 * percentage is computed, and the service-credit tiers. Both Okta and Microsoft commit to 99.99% a
 * month for sign-in and count downtime in minutes; the target itself comes from the config
 * (`slaTargetPct`). Credit percentages differ by contract, so they are shown as indicative: the
 * customer's own agreement governs, and the report says so.
 */

export interface CreditTier {
  /** The tier applies when the monthly percentage is below this. */
  belowPct: number;
  creditPct: number;
}

export interface VendorTerms {
  vendor: string;
  /** The vendor's definition of downtime, paraphrased. */
  downtime: string;
  /** How the vendor computes the monthly percentage. */
  formula: string;
  /** Highest threshold first. */
  creditTiers: CreditTier[];
  /** Where the tiers come from. */
  source: string;
}

const terms: Record<Provider["kind"], VendorTerms> = {
  okta: {
    vendor: "Okta",
    downtime:
      "minutes in which the service is not available to the customer's users for authentication, " +
      "excluding scheduled maintenance and events outside Okta's control",
    formula: "(minutes in the month - downtime minutes) / minutes in the month",
    creditTiers: [
      { belowPct: 99.99, creditPct: 5 },
      { belowPct: 99.9, creditPct: 10 },
      { belowPct: 99.0, creditPct: 20 },
      { belowPct: 95.0, creditPct: 50 },
    ],
    source: "Okta's published service level terms; your order form's SLA governs",
  },
  entra: {
    vendor: "Microsoft",
    downtime:
      "any period in which users cannot sign in, or Microsoft Entra ID fails to issue the " +
      "authentication and authorization tokens users need to sign in to connected applications",
    formula: "(user minutes - downtime minutes) / user minutes, per calendar month",
    creditTiers: [
      { belowPct: 99.99, creditPct: 10 },
      { belowPct: 99.9, creditPct: 25 },
      { belowPct: 95.0, creditPct: 100 },
    ],
    source: "Microsoft's SLA for Microsoft Entra ID (Online Services SLA); your agreement governs",
  },
  oidc: {
    vendor: "the provider",
    downtime: "minutes in which sign-in is unavailable, as the provider's contract defines it",
    formula: "(minutes in the month - downtime minutes) / minutes in the month",
    creditTiers: [],
    source: "no standard terms for a generic OIDC provider: see its contract",
  },
};

export function vendorTerms(kind: Provider["kind"]): VendorTerms {
  return terms[kind];
}

/** The indicative credit for a monthly percentage under these terms (0 when none applies). */
export function indicativeCredit(terms: VendorTerms, availabilityPct: number): number {
  let credit = 0;
  for (const tier of terms.creditTiers) if (availabilityPct < tier.belowPct) credit = tier.creditPct;
  return credit;
}
