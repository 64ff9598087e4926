import { type MonitorSettings, monitorSettingsSchema } from "./monitor.js";
import { checkOutboundUrl } from "./network-address.js";
import { mergeOver, overrideSchema, sameSettings } from "./overrides.js";
import { type Criticality, defaultCriticality, type ProbeKind } from "./probe-result.js";
import * as z from "./zod-mini.js";

/*
 * The deployment's configuration: sites, their providers and probes, and the policy that turns probe
 * results into failovers. Parsed once at start; everything but identities and DNS has a default.
 * Secrets never live here: a `...Ref` field names an environment variable or SST secret instead.
 * Written with zod/mini (see zod-mini.ts): `z.optional(x)` is classic `x.optional()`, and so on.
 */

const awsRegion = z
  .string()
  .check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: "not an AWS region name (like us-east-1)" }));
const secretRef = z.string().check(
  z.regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
    error: "a secret reference is the NAME of a secret, not its value",
  }),
);
const httpsUrl = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });
const identifier = z
  .string()
  .check(
    z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "use lowercase letters, digits and dashes (max 63)" }),
  );
const nonEmpty = z.string().check(z.minLength(1));
/** A whole number (classic `z.number().int()`), with further checks. */
const int = (...checks: z.core.$ZodCheck<number>[]) => z.number().check(z.int(), ...checks);
const seconds = int(z.positive());
const fraction = z.number().check(z.gt(0), z.lte(1));
const percent = z.number().check(z.gt(0), z.lte(100));
const criticality = z.enum(["critical", "signal"]);

const probeCommon = {
  /** Names the probe within its provider; defaults to its kind. */
  name: z.optional(identifier),
  criticality: z.optional(criticality),
  /** Hard timeout of one attempt; defaults to the policy's. */
  timeoutMs: z.optional(int(z.positive(), z.lte(60_000))),
  /** Latency budget: an answer slower than this is `slow` (degraded, not down). */
  slowMs: z.optional(int(z.positive())),
};

/*
 * A critical http probe whose own assertion cannot run would fail in every region at once and fail the
 * provider over, so the config refuses a regex that does not compile and a JSON path outside the
 * subset packages/probes/src/json-path.ts reads (`$`, `.name`, `['name']`, `["name"]`, `[0]`).
 */
const compilingRegex = z.string().check(
  z.refine((source: string) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression"),
);
const jsonPath = z.string().check(
  z.regex(/^\$(\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^']*'\]|\["[^"]*"\])*$/, {
    error: "a JSON path like $.status, $.items[0].state or $['odd key'] (no filters or wildcards)",
  }),
);

const httpProbe = z
  .strictObject({
    kind: z.literal("http"),
    ...probeCommon,
    url: httpsUrl,
    method: z._default(z.enum(["GET", "HEAD"]), "GET"),
    expectStatus: z._default(z.array(int(z.gte(100), z.lte(599))).check(z.minLength(1)), [200]),
    bodyRegex: z.optional(compilingRegex),
    /** A simple JSON path like `$.status` or `$.items[0].state`, and the value it must equal. */
    jsonPath: z.optional(jsonPath),
    jsonEquals: z.optional(z.union([z.string(), z.number(), z.boolean()])),
  })
  .check(
    z.refine((probe) => probe.jsonEquals === undefined || probe.jsonPath !== undefined, {
      error: "jsonEquals needs a jsonPath to compare",
      path: ["jsonEquals"],
    }),
    z.refine((probe) => probe.method === "GET" || (!probe.bodyRegex && !probe.jsonPath), {
      error: "a HEAD answer has no body for bodyRegex or jsonPath to check: use GET",
      path: ["method"],
    }),
  );

const discoveryProbe = z.strictObject({
  kind: z.literal("oidc-discovery"),
  ...probeCommon,
  /** Defaults to `{issuer}/.well-known/openid-configuration`. */
  url: z.optional(httpsUrl),
});

const jwksProbe = z.strictObject({
  kind: z.literal("jwks"),
  ...probeCommon,
  /** Defaults to the `jwks_uri` that discovery publishes. */
  url: z.optional(httpsUrl),
});

const tokenProbe = z.strictObject({
  kind: z.literal("token"),
  ...probeCommon,
  /** Defaults to the `token_endpoint` that discovery publishes. */
  tokenUrl: z.optional(httpsUrl),
  clientId: nonEmpty,
  clientSecretRef: secretRef,
  /** Okta: a custom scope of the authorization server; Entra: `api://{app}/.default`. */
  scope: nonEmpty,
  /** Expected `aud` of the minted token; not checked when absent. */
  audience: z.optional(z.string()),
  /** How the client authenticates; the IdP enforces the method its app is registered with. Default basic. */
  clientAuth: z.optional(z.enum(["client_secret_basic", "client_secret_post"])),
});

const samlProbe = z.strictObject({
  kind: z.literal("saml-metadata"),
  ...probeCommon,
  url: httpsUrl,
  /** Warn (degraded) when the signing certificate expires within this many days. */
  expiryWarningDays: z._default(int(z.nonnegative()), 30),
});

const oktaApiProbe = z.strictObject({
  kind: z.literal("okta-api"),
  ...probeCommon,
  orgUrl: httpsUrl,
  auth: oktaApiAuthSchema(["okta.orgs.read"]),
  /** Skip the call (and report healthy) while fewer than this share of the rate limit remains. */
  minRateLimitRemainingPct: z._default(z.number().check(z.gte(0), z.lte(100)), 20),
});

const graphHealthProbe = z.strictObject({
  kind: z.literal("graph-health"),
  ...probeCommon,
  tenantId: nonEmpty,
  clientId: nonEmpty,
  clientSecretRef: secretRef,
  /** The service name in Microsoft 365 service health. */
  service: z._default(z.string(), "Microsoft Entra"),
  /** Microsoft identity platform host; national clouds differ. Default https://login.microsoftonline.com. */
  loginUrl: z.optional(httpsUrl),
  /** Microsoft Graph host; national clouds differ. Default https://graph.microsoft.com. */
  graphUrl: z.optional(httpsUrl),
});

/*
 * What users reach: the front door's path for this provider, probed at the provider's `dnsTarget`
 * without following the login hostname's DNS (which points at whichever path is live), with TLS SNI
 * and HTTP Host set to the login hostname. The resolver fills every field from the site's `frontDoor`
 * and the provider's `dnsTarget`; written out only to override (pattern (b) in docs/login-hostname.md,
 * where each provider serves its own issuer on the login hostname).
 */
const frontDoorProbe = z.strictObject({
  kind: z.literal("front-door"),
  ...probeCommon,
  /** Where to connect: defaults to `https://{dnsTarget}` (the path's hostname, or its IP address). */
  url: z.optional(httpsUrl),
  /** The name users type: TLS SNI, HTTP Host and the certificate's name. Defaults to the site's hostname. */
  hostname: z.optional(z.string().check(z.minLength(1))),
  /** What to fetch; defaults to the front door issuer's discovery document. */
  path: z.optional(z.string().check(z.regex(/^\/[^\s]*$/, { error: "a path starting with /" }))),
  /** The issuer the apps trust; the document at `path` must name it. Defaults to `frontDoor.issuer`. */
  expectIssuer: z.optional(httpsUrl),
  /** Warn (degraded) when the certificate for the login hostname expires within this many days. */
  expiryWarningDays: z.optional(int(z.nonnegative())),
});

/**
 * What a person meets: the provider's authorization endpoint renders its sign-in form. Entra's backup
 * authentication renews existing sessions but renders no sign-in form for new ones, while tokens are
 * still issued: this probe failing while the token probe passes names that mode (docs/probes.md).
 */
const interactiveSignInProbe = z.strictObject({
  kind: z.literal("interactive-sign-in"),
  ...probeCommon,
  /** Defaults to the `authorization_endpoint` that discovery publishes. */
  authorizeUrl: z.optional(httpsUrl),
  /** A client registered with the provider (public, no secret: the probe never signs anyone in). */
  clientId: nonEmpty,
  /** One of that client's registered redirect URIs; the provider refuses others before any form. */
  redirectUri: httpsUrl,
  scope: z._default(nonEmpty, "openid"),
  /** What the sign-in page must contain (a regular expression); defaults by provider kind. */
  expect: z.optional(compilingRegex),
});

export const probeSpecSchema = z.discriminatedUnion("kind", [
  httpProbe,
  discoveryProbe,
  jwksProbe,
  tokenProbe,
  samlProbe,
  oktaApiProbe,
  graphHealthProbe,
  frontDoorProbe,
  interactiveSignInProbe,
]);
export type ProbeSpec = z.infer<typeof probeSpecSchema>;

export const providerSchema = z.strictObject({
  id: identifier,
  kind: z.enum(["okta", "entra", "oidc"]),
  /** Optional: the order decides (the first is the primary); when written, it must agree. */
  role: z.optional(z.enum(["primary", "secondary"])),
  /** The OIDC issuer. Entra defaults to `https://login.microsoftonline.com/{tenantId}/v2.0`. */
  issuer: z.optional(httpsUrl),
  tenantId: z.optional(z.string()),
  /**
   * What the login hostname's record points at while this provider serves (CNAME target or IP): the
   * hostname of the front door's path to this provider (docs/login-hostname.md), never the login
   * hostname itself.
   */
  dnsTarget: nonEmpty,
  /** The weighted record's SetIdentifier; defaults to the provider id. */
  setIdentifier: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** Monthly availability the vendor commits to, in percent. */
  slaTargetPct: z.optional(percent),
  /** Defaults to discovery and JWKS, derived from the issuer. Add a token probe to catch key outages. */
  probes: z.optional(z.array(probeSpecSchema).check(z.minLength(1))),
});
export type ProviderInput = z.input<typeof providerSchema>;

/*
 * Identity continuity readiness (docs/readiness.md): the site's `continuity` section and the policy's
 * optional gate. With the other sections here; continuity.ts owns the results and the rules on them.
 */

const percentage = z.number().check(z.gte(0), z.lte(100));

/**
 * How a program authenticates to Okta's management API: an SSWS API token, or an OAuth 2.0 service
 * app signing a client assertion with its private key (scoped tokens; the scopes it asks for are
 * granted on the app's Okta API Scopes tab).
 */
export function oktaApiAuthSchema(defaultScopes: string[]) {
  return z.discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("token"), tokenRef: secretRef }),
    z.strictObject({
      mode: z.literal("private-key"),
      clientId: nonEmpty,
      keyId: z.optional(z.string()),
      privateKeyRef: secretRef,
      scopes: z._default(z.array(z.string()).check(z.minLength(1)), defaultScopes),
    }),
  ]);
}

/** The Okta API scopes a readiness run reads with (Okta: OAuth 2.0 Scopes, Okta Admin Management). */
export const readinessOktaScopes = ["okta.users.read", "okta.groups.read", "okta.apps.read"];

/** The Microsoft Graph application permissions a readiness run reads with. */
export const readinessGraphPermissions = ["User.Read.All", "GroupMember.Read.All", "Application.Read.All"];

export const userMatchSchema = z.strictObject({
  /** The Okta profile attribute: `login` (default) or `email`. */
  okta: z._default(z.enum(["login", "email"]), "login"),
  /** The Entra user property: `userPrincipalName` (default) or `mail`. */
  entra: z._default(z.enum(["userPrincipalName", "mail"]), "userPrincipalName"),
});
export type UserMatch = z.infer<typeof userMatchSchema>;

/** `sites[].continuity`: what a readiness run compares, and with which credentials it reads. */
export const continuitySchema = z.strictObject({
  /**
   * Optional: the providers compared are the site's Okta primary and its first Entra secondary; when
   * written (the effective config writes them), they must agree.
   */
  primary: z.optional(identifier),
  secondary: z.optional(identifier),
  /** Below this share of ready users, a readiness run alerts. */
  minReadinessPct: z._default(percentage, 98),
  /** Users match case-insensitively on these attributes. */
  userMatch: z.prefault(userMatchSchema, {}),
  groups: z.prefault(
    z.strictObject({
      /** `name`: Okta group name = Entra displayName (case-insensitive), `map` entries first; `map`: only the map. */
      match: z._default(z.enum(["name", "map"]), "name"),
      /** Okta group id -> Entra group object id. */
      map: z._default(z.record(z.string().check(z.minLength(1)), nonEmpty), {}),
    }),
    {},
  ),
  /** Apps users sign in to: the Okta app and the Entra service principal (object id) that stands in for it. */
  apps: z._default(
    z.array(z.strictObject({ okta: nonEmpty, entra: nonEmpty, name: z.optional(nonEmpty) })),
    [],
  ),
  okta: z.strictObject({
    /** Default: the org of the primary's okta-api probe, else the origin of its issuer. */
    orgUrl: z.optional(httpsUrl),
    /** Its own credentials: the readiness app needs read scopes the probes must not have. */
    auth: oktaApiAuthSchema(readinessOktaScopes),
  }),
  entra: z.strictObject({
    /** Default: the secondary's tenantId. */
    tenantId: z.optional(nonEmpty),
    clientId: nonEmpty,
    clientSecretRef: secretRef,
    /** Microsoft Graph; sovereign clouds differ. Default: the graph-health probe's graphUrl, else https://graph.microsoft.com. */
    graphBaseUrl: z.optional(httpsUrl),
    /** Microsoft identity platform; sovereign clouds differ. Default: the graph-health probe's loginUrl, else https://login.microsoftonline.com. */
    authorityHost: z.optional(httpsUrl),
  }),
});
export type ContinuityInput = z.infer<typeof continuitySchema>;

/** `policy.continuity`: failover is never gated by readiness unless `gateBelowPct` is set. */
export const continuityPolicySchema = z.strictObject({
  /** Hold an automatic failover onto a secondary whose last complete readiness is below this. */
  gateBelowPct: z.optional(percentage),
});
export type ContinuityPolicy = z.infer<typeof continuityPolicySchema>;

/** A site's continuity settings after defaults, endpoints resolved from the providers. */
export interface SiteContinuity extends Omit<ContinuityInput, "okta" | "entra"> {
  /** The Okta primary and the Entra secondary compared. */
  primary: string;
  secondary: string;
  okta: { orgUrl: string; auth: ContinuityInput["okta"]["auth"] };
  entra: {
    tenantId: string;
    clientId: string;
    clientSecretRef: string;
    graphBaseUrl: string;
    authorityHost: string;
  };
}

const publicGraph = "https://graph.microsoft.com";
const publicAuthority = "https://login.microsoftonline.com";

/**
 * Resolves a site's continuity settings against its providers: the primary must be Okta and an Entra
 * provider must follow it; endpoints not written come from that provider's probes, then the public cloud.
 */
export function resolveContinuity(
  input: ContinuityInput,
  providers: readonly Provider[],
  path: string,
  issues: ConfigIssue[],
): SiteContinuity | undefined {
  const primary = providers[0];
  const secondary = providers.slice(1).find((p) => p.kind === "entra");
  if (primary?.kind !== "okta") {
    issues.push({
      path,
      message: "continuity compares an Okta primary with an Entra secondary; this site's primary is not Okta",
      hint: "remove continuity from this site, or list the Okta provider first",
    });
    return undefined;
  }
  if (!secondary) {
    issues.push({
      path,
      message: "continuity needs an Entra provider after the Okta primary",
      hint: "add the Entra secondary to providers, or remove continuity",
    });
    return undefined;
  }
  for (const [key, derived] of [
    ["primary", primary.id],
    ["secondary", secondary.id],
  ] as const) {
    if (input[key] !== undefined && input[key] !== derived) {
      issues.push({
        path: `${path}.${key}`,
        message: `continuity compares ${derived} as the ${key}, not ${input[key]}`,
        hint: "leave it out: the Okta primary and the first Entra provider after it are compared",
      });
      return undefined;
    }
  }
  const tenantId = input.entra.tenantId ?? secondary.tenantId;
  if (!tenantId) {
    issues.push({
      path: `${path}.entra.tenantId`,
      message: `no tenant: set continuity.entra.tenantId or ${secondary.id}'s tenantId`,
    });
    return undefined;
  }
  const oktaProbe = primary.probes.find((p) => p.kind === "okta-api");
  const graphProbe = secondary.probes.find((p) => p.kind === "graph-health");
  const orgUrl =
    input.okta.orgUrl ??
    (oktaProbe?.kind === "okta-api" ? oktaProbe.orgUrl : primary.issuer && new URL(primary.issuer).origin);
  if (!orgUrl) {
    issues.push({
      path: `${path}.okta.orgUrl`,
      message: "required: the Okta org URL, like https://example.okta.com",
    });
    return undefined;
  }
  const graphHealth = graphProbe?.kind === "graph-health" ? graphProbe : undefined;
  const trim = (url: string) => url.replace(/\/+$/, "");
  return {
    ...input,
    primary: primary.id,
    secondary: secondary.id,
    okta: { orgUrl: trim(orgUrl), auth: input.okta.auth },
    entra: {
      tenantId,
      clientId: input.entra.clientId,
      clientSecretRef: input.entra.clientSecretRef,
      graphBaseUrl: trim(input.entra.graphBaseUrl ?? graphHealth?.graphUrl ?? publicGraph),
      authorityHost: trim(input.entra.authorityHost ?? graphHealth?.loginUrl ?? publicAuthority),
    },
  };
}

export const siteSchema = z.strictObject({
  id: identifier,
  hostname: z.string().check(
    z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, {
      error: "not a DNS name",
    }),
  ),
  hostedZoneId: z.pipe(
    z
      .string()
      .check(z.regex(/^(\/hostedzone\/)?Z[A-Z0-9]{1,31}$/, { error: "not a Route 53 hosted zone id" })),
    z.transform((id: string) => id.replace(/^\/hostedzone\//, "")),
  ),
  recordType: z._default(z.enum(["CNAME", "A", "AAAA"]), "CNAME"),
  ttl: z._default(int(z.gte(1), z.lte(86_400)), 60),
  /**
   * The identity front door the apps trust (docs/login-hostname.md, pattern (a)): its issuer, on the
   * login hostname, is the one the apps' OIDC settings name. Each provider's `dnsTarget` is the front
   * door's path to that provider; every provider gets a `front-door` probe of that path unless it
   * lists its own or `probe` is false.
   */
  frontDoor: z.optional(
    z.strictObject({
      issuer: httpsUrl,
      /** What the probe fetches; defaults to `{issuer path}/.well-known/openid-configuration`. */
      path: z.optional(z.string().check(z.regex(/^\/[^\s]*$/, { error: "a path starting with /" }))),
      expiryWarningDays: z._default(int(z.nonnegative()), 14),
      probe: z._default(z.boolean(), true),
    }),
  ),
  providers: z
    .array(providerSchema)
    .check(z.minLength(2, { error: "a site needs a primary and at least one secondary" })),
  /** Identity continuity readiness: is the secondary ready for the primary's users (docs/readiness.md)? */
  continuity: z.optional(continuitySchema),
  /**
   * The site's tier. true: Route 53 health checks on the verdict endpoints fail it over even while the
   * Route 53 API is down (about $5 a month a site). false: it fails over through the control plane
   * alone (no health checks, no verdict items). `dataPlane.enabled: false` turns it off for every site.
   */
  dataPlane: z._default(z.boolean(), true),
});

export const policySchema = z.strictObject({
  /** Seconds between probe rounds in each region. */
  cadenceSeconds: z._default(int(z.gte(5), z.lte(300)), 10),
  probeTimeoutMs: z._default(int(z.gte(100), z.lte(60_000)), 5000),
  /** A failed probe is retried this many times, `delayMs` apart, before it counts as failed. */
  confirm: z.prefault(
    z.strictObject({
      retries: z._default(int(z.gte(0), z.lte(5)), 2),
      delayMs: z._default(int(z.gte(0), z.lte(30_000)), 1000),
    }),
    {},
  ),
  /**
   * When a region calls a provider `down`: N failed rounds in a row, or M of the last W rounds, or
   * (a partial outage that confirm retries mostly hide) at least this share of the critical probes'
   * first attempts failing over the last W rounds.
   */
  failure: z.prefault(
    z.strictObject({
      consecutiveRounds: z._default(int(z.gte(1), z.lte(60)), 2),
      windowRounds: z._default(int(z.gte(1), z.lte(60)), 6),
      failedRoundsInWindow: z._default(int(z.gte(1), z.lte(60)), 3),
      firstAttemptFailureRate: z._default(fraction, 0.5),
      /** The first-attempt rule needs this many critical probe results in the window to speak. */
      firstAttemptMinSamples: z._default(int(z.gte(1)), 12),
    }),
    {},
  ),
  /** Latency above this (and under the timeout) is `slow`: degraded, not down. */
  slowMs: z._default(int(z.positive()), 2500),
  /** When a region calls a provider `degraded` for flaky answers that confirm-retries hid. */
  degraded: z.prefault(
    z.strictObject({
      windowSeconds: z._default(seconds, 900),
      flakyRate: z._default(fraction, 0.05),
      minFlaky: z._default(int(z.gte(1)), 10),
    }),
    {},
  ),
  recovery: z.prefault(
    z.strictObject({
      /** Healthy rounds in a row before a region stops calling a provider `down`. */
      consecutiveRounds: z._default(int(z.gte(1), z.lte(60)), 3),
      /** How long the primary must stay `up` before failback is proposed. */
      sustainSeconds: z._default(seconds, 600),
    }),
    {},
  ),
  /**
   * Automatic DNS changes a site may make in any hour (failovers, aborts, returns). Past it the site
   * stays where it is, pages once, and resumes after a quiet hour or `idpctl resume` (flapping).
   */
  maxDnsChangesPerHour: z._default(int(z.gte(1), z.lte(60)), 4),
  notifications: z.prefault(
    z.strictObject({
      /** Degraded and recovered news waits this long: a state that reverts sooner is not worth a message. */
      dwellSeconds: z._default(z.number().check(z.int(), z.nonnegative(), z.lte(3600)), 300),
      /** Messages one incident may send; past it only decisions (failover, failback, resolution) go out. */
      maxPerIncident: z._default(int(z.gte(3), z.lte(100)), 10),
    }),
    {},
  ),
  /** Regions that must agree a provider is down; also the fewest fresh regions needed to act. */
  quorum: z._default(int(z.gte(1)), 2),
  /** A region with no completed round for this long is `stale` and abstains. */
  staleAfterSeconds: z._default(seconds, 45),
  failback: z.prefault(
    z.strictObject({
      /** The primary's weight at each step, ending at 100. */
      steps: z._default(z.array(int(z.gte(1), z.lte(100))).check(z.minLength(1)), [10, 50, 100]),
      /** How long each step must stay healthy before the next. */
      holdSeconds: z._default(seconds, 300),
      /** "Snooze 1 h" in Slack. */
      snoozeSeconds: z._default(seconds, 3600),
      /** "Stay on secondary": how long before failback is proposed again. */
      declineSeconds: z._default(seconds, 86_400),
    }),
    {},
  ),
  approval: z.prefault(z.strictObject({ expirySeconds: z._default(seconds, 14_400) }), {}),
  /** Readiness never gates failover unless `gateBelowPct` is set (docs/readiness.md). */
  continuity: z.optional(continuityPolicySchema),
  dns: z.prefault(
    z.strictObject({
      /** Backoff between attempts when Route 53 asks us to retry. */
      retrySeconds: z._default(z.array(seconds).check(z.minLength(1)), [5, 15, 30, 60]),
      /**
       * A change not INSYNC after this long (Route 53 usually takes under a minute), or one Route 53 no
       * longer knows, is alerted and re-checked by reading the records back.
       */
      insyncTimeoutSeconds: z._default(seconds, 300),
    }),
    {},
  ),
});
export type Policy = z.infer<typeof policySchema>;

const approvers = z.prefault(
  z.strictObject({
    users: z._default(
      z.array(z.string().check(z.regex(/^[UW][A-Z0-9]+$/, { error: "a Slack user id, like U0123ABCD" }))),
      [],
    ),
    userGroups: z._default(
      z.array(z.string().check(z.regex(/^S[A-Z0-9]+$/, { error: "a Slack user group id, like S0123ABCD" }))),
      [],
    ),
  }),
  {},
);

/** `alerting.slack`: the channel, who may approve, and the Slack app's secrets (a site may have its own app). */
export const slackAlertingSchema = z.strictObject({
  channel: nonEmpty,
  approvers,
  botTokenRef: z._default(secretRef, "SLACK_BOT_TOKEN"),
  signingSecretRef: z._default(secretRef, "SLACK_SIGNING_SECRET"),
});
export type SlackAlerting = z.infer<typeof slackAlertingSchema>;

/**
 * One webhook receiver. The URL's rules (https, no credentials, a public host) are checked after
 * parsing by `checkWebhooks`, which can say them with a hint and without echoing a password.
 */
export const webhookSchema = z.strictObject({
  name: identifier,
  url: nonEmpty,
  /** Names a Standard Webhooks secret (`whsec_` and base64); two, space-separated, during a rotation. */
  secretRef: secretRef,
  /** For local tests only: http as well as https (to a public address: a config never opens private ones). */
  allowInsecure: z.optional(z.boolean()),
});
export type WebhookTarget = z.infer<typeof webhookSchema>;

/*
 * PagerDuty and Microsoft Teams (docs/setup-pagerduty.md, docs/setup-teams.md). The routing key and
 * the workflow URL are secrets (the URL carries its own signature), so the config names them: it is
 * reviewed in Git, the secrets live in the deployment's secret store. `linkUrl` is where an on-call
 * engineer goes from the page or the card: the dashboard or the runbook, per channel, so an MSP can
 * point each customer's channel at that customer's runbook.
 */
const linkUrl = z.url({ protocol: /^https$/, error: "not an https URL" });

/** `alerting.pagerduty`: an Events API v2 integration (one PagerDuty service). */
export const pagerDutyAlertingSchema = z.strictObject({
  // An integration key is 32 lowercase letters and digits, which a NAME's pattern would let through.
  routingKeyRef: secretRef.check(
    z.refine((ref) => !/^(?=.*\d)[a-z0-9]{32}$/.test(ref), {
      error:
        "this looks like the integration key itself: name the secret that holds it, like PAGERDUTY_ROUTING_KEY",
    }),
  ),
  linkUrl: z.optional(linkUrl),
});
export type PagerDutyAlerting = z.infer<typeof pagerDutyAlertingSchema>;

/** `alerting.teams`: a Teams channel's Workflows webhook ("Send webhook alerts to a channel"). */
export const teamsAlertingSchema = z.strictObject({
  webhookUrlRef: secretRef,
  linkUrl: z.optional(linkUrl),
});
export type TeamsAlerting = z.infer<typeof teamsAlertingSchema>;

export const alertingSchema = z.prefault(
  z.strictObject({
    slack: z.optional(slackAlertingSchema),
    webhooks: z._default(z.array(webhookSchema), []),
    eventBus: z._default(nonEmpty, "idp-failover"),
    pagerduty: z.optional(pagerDutyAlertingSchema),
    teams: z.optional(teamsAlertingSchema),
  }),
  {},
);
export type Alerting = z.infer<typeof alertingSchema>;
/** A site's alerting: the deployment's Slack and webhooks with the site's own merged over them. */
export type SiteAlerting = Omit<Alerting, "eventBus">;

/*
 * The data plane's section (data-plane.ts says what the data plane is). Its schema lives here, with
 * the other sections, because data-plane.ts reads parsed configs: there, the two modules would
 * import each other (test/architecture/import-cycles.test.ts).
 */

/** Route 53 health checkers' regions (HealthCheckRegion in the API); a check uses at least three. */
export const healthCheckerRegions = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
] as const;

/** Route 53's default quota of active health checks per AWS account (Route 53 Developer Guide, "Quotas"). */
export const defaultHealthCheckQuota = 200;

/**
 * Lambda's default quota of concurrent executions per account and region (Lambda developer guide,
 * "Lambda quotas", checked 2026-12-04; new accounts may start lower until AWS raises it with use).
 */
export const defaultLambdaConcurrencyQuota = 1000;

export const dataPlaneSettingsSchema = z.strictObject({
  /** Route 53 health checks on the verdict endpoints. Off: failover only through the Route 53 API. */
  enabled: z._default(z.boolean(), true),
  /** 30 (standard) or 10 (fast: about 20 s sooner, and an extra charge per health check). */
  healthCheckIntervalSeconds: z._default(z.union([z.literal(10), z.literal(30)]), 30),
  /**
   * Answers in a row before one Route 53 checker changes its view (both ways). At least 2: one
   * answer alone never moves traffic. Each step above 1 delays the data plane by one interval.
   */
  failureThreshold: z._default(
    z
      .number()
      .check(z.int(), z.gte(2, { error: "at least 2: a single answer must never move traffic" }), z.lte(10)),
    2,
  ),
  /**
   * Also require the withdraw marker in the body (HTTPS_STR_MATCH, one more billed option per
   * check). Off: a 2xx alone withdraws, which only the endpoint's withdraw answer gives.
   */
  matchString: z._default(z.boolean(), false),
  /**
   * The account's quota of active Route 53 health checks (200 unless raised): validate and cost count
   * this deployment's checks against it. Raise it in Service Quotas (us-east-1, Amazon Route 53).
   */
  healthCheckQuota: z._default(z.number().check(z.int(), z.gte(1)), defaultHealthCheckQuota),
  /** Where Route 53's checkers run; each checker region polls every endpoint, so fewer is cheaper. */
  checkerRegions: z._default(
    z
      .array(z.enum(healthCheckerRegions))
      .check(z.minLength(3, { error: "Route 53 needs at least three health checker regions" })),
    ["us-east-1", "us-west-2", "eu-west-1"],
  ),
});
export type DataPlaneSettings = z.infer<typeof dataPlaneSettingsSchema>;

export const defaultDataPlaneSettings: DataPlaneSettings = dataPlaneSettingsSchema.parse({});

export function dataPlaneSettings(config: Pick<Config, "dataPlane">): DataPlaneSettings {
  return config.dataPlane ?? defaultDataPlaneSettings;
}

/**
 * The path a site's primary is health-checked on: its `dnsTarget`, lowercase, without a trailing dot.
 * Sites whose primaries share it share one set of health checks (data-plane.ts `healthCheckedPaths`).
 */
export function primaryPathTarget(site: Pick<Site, "id" | "providers">): string {
  const primary = site.providers[0];
  if (!primary) throw new Error(`site ${site.id} has no providers`);
  return primary.dnsTarget.toLowerCase().replace(/\.$/, "");
}

/**
 * Whether Route 53 health checks fail a site over without the control plane (`sites[].dataPlane`,
 * off for every site when the deployment's `dataPlane.enabled` is false).
 */
export function siteHasDataPlane(config: Pick<Config, "dataPlane">, site: Pick<Site, "dataPlane">): boolean {
  return dataPlaneSettings(config).enabled && site.dataPlane !== false;
}

/** The sites with a data plane: those the verdict endpoints answer for and health checks watch. */
export function dataPlaneSites<S extends Pick<Site, "dataPlane">>(
  config: Pick<Config, "dataPlane"> & { sites: readonly S[] },
): S[] {
  return config.sites.filter((site) => siteHasDataPlane(config, site));
}

/** The health checks a deployment creates: per health-checked path, one per probe region and one calculated. */
export function healthChecksNeeded(config: Pick<Config, "dataPlane" | "sites" | "regions">): {
  https: number;
  calculated: number;
  total: number;
} {
  const paths = new Set(dataPlaneSites(config).map(primaryPathTarget)).size;
  const https = paths * config.regions.length;
  return { https, calculated: paths, total: https + paths };
}

/** How to raise Route 53's health-check quota (Route 53 Developer Guide, "Quotas", checked 2026-12-04). */
export const healthCheckQuotaHint =
  "request a higher quota in the Service Quotas console, region us-east-1, service Amazon Route 53 " +
  "(https://console.aws.amazon.com/servicequotas/home?region=us-east-1#!/services/route53/quotas), " +
  "then set dataPlane.healthCheckQuota to it";

/**
 * The deployment's health checks against the account's quota: an issue when they cannot all be
 * created (the deploy would stop at TooManyHealthChecks), a warning above 80% (the account's other
 * health checks count too).
 */
export function healthCheckQuotaIssue(
  config: Pick<Config, "dataPlane" | "sites" | "regions">,
): { severity: "error" | "warning"; message: string; hint: string } | undefined {
  const quota = dataPlaneSettings(config).healthCheckQuota;
  const { total, https, calculated } = healthChecksNeeded(config);
  // Only the sites with a data plane have health checks: say so, and offer the other tier.
  const tiered = dataPlaneSites(config).length;
  const counted =
    `${total} Route 53 health checks (${https} HTTPS, ${calculated} calculated) for ${tiered} site(s) ` +
    `with a data plane of ${config.sites.length}, against the account's quota of ${quota}`;
  const hint = `${healthCheckQuotaHint}; or set dataPlane: false on the sites that may fail over through the control plane alone (they need no health checks)`;
  if (total > quota) return { severity: "error", message: `needs ${counted}`, hint };
  if (total > quota * 0.8) {
    return {
      severity: "warning",
      message: `needs ${counted}; the account's other health checks count too`,
      hint,
    };
  }
  return undefined;
}

const regionsSchema = z._default(z.array(awsRegion).check(z.minLength(1)), [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
]);

/*
 * A site's own settings (docs/many-sites.md): any part of the policy and of alerting, merged over the
 * deployment's (objects key by key, arrays replaced, approvers replaced whole), and tags for the
 * operator views. The override schemas are derived from the sections' own, so every field added to
 * them later can be set per site.
 */
export const sitePolicySchema = overrideSchema(policySchema);
export const siteAlertingSchema = overrideSchema(alertingSchema, ["slack.approvers"]);
export const siteTagSchema = z
  .string()
  .check(
    z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, { error: "a tag is lowercase letters, digits and dashes (max 32)" }),
  );

const siteEntrySchema = z.extend(siteSchema, {
  policy: z.optional(sitePolicySchema),
  alerting: z.optional(siteAlertingSchema),
  tags: z._default(z.array(siteTagSchema), []),
});

export const configSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  /** Where the table, the evaluator and the control plane live. */
  homeRegion: z._default(awsRegion, "us-east-1"),
  /** Where probes run; failover needs `quorum` of them to agree. */
  regions: regionsSchema,
  policy: z.prefault(policySchema, {}),
  alerting: alertingSchema,
  sla: z.prefault(z.strictObject({ targetPct: z._default(percent, 99.99) }), {}),
  /** Route 53 health checks on the probe regions' verdict endpoints (failover without the Route 53 API). */
  dataPlane: z.prefault(dataPlaneSettingsSchema, {}),
  /**
   * Each probe region resolves every login hostname through public DNS and the evaluator alerts when
   * the answer disagrees with the state for longer than the TTL plus the last change's time to INSYNC.
   */
  publicDns: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      /** Resolvers to ask (host or host:port, e.g. 1.1.1.1); empty: the region's own resolver. */
      servers: z._default(z.array(z.string().check(z.minLength(1))), []),
      everySeconds: z._default(int(z.gte(10), z.lte(3600)), 60),
    }),
    {},
  ),
  /** The monitor's own health: each region's canaries and clock (see monitor.ts). */
  monitor: z.prefault(monitorSettingsSchema, {}),
  /**
   * The account's Lambda concurrency quota in each region the deployment uses (1,000 unless raised):
   * validate and cost count the functions' reserved concurrency against it (account-limits.ts).
   */
  lambdaConcurrencyQuota: z._default(z.number().check(z.int(), z.gte(1)), defaultLambdaConcurrencyQuota),
  sites: z.array(siteEntrySchema).check(z.minLength(1)),
});

/** A provider after defaults: issuer known, probes listed, set identifier chosen. */
export interface Provider {
  id: string;
  kind: "okta" | "entra" | "oidc";
  role: "primary" | "secondary";
  issuer?: string;
  tenantId?: string;
  dnsTarget: string;
  setIdentifier: string;
  slaTargetPct: number;
  probes: ResolvedProbe[];
}

export type ResolvedProbe = ProbeSpec & { name: string; criticality: Criticality };

export interface FrontDoor {
  issuer: string;
  path?: string | undefined;
  expiryWarningDays: number;
  probe: boolean;
}

export interface Site {
  id: string;
  hostname: string;
  /** The identity front door the apps trust (pattern (a)); absent when the site does not declare one. */
  frontDoor?: FrontDoor | undefined;
  hostedZoneId: string;
  recordType: "CNAME" | "A" | "AAAA";
  ttl: number;
  /** In priority order: the first is the primary. */
  providers: Provider[];
  continuity?: SiteContinuity;
  /**
   * Health-checked by Route 53 through the verdict endpoints (the data plane), or failed over through
   * the control plane alone. Parsed configs carry the effective value (false everywhere when the
   * deployment's `dataPlane.enabled` is false); absent in configs built in code means true.
   */
  dataPlane?: boolean;
  /** The policy this site runs under: the deployment's, with the site's own `policy` merged over it. */
  policy: Policy;
  /** Where this site's notifications go: the deployment's alerting, with the site's own merged over it. */
  alerting: SiteAlerting;
  /** Short labels for the operator views (`idpctl status --tag`, the dashboard, `idpctl report --tag`). */
  tags: string[];
}

export interface Config {
  version: 1;
  homeRegion: string;
  regions: string[];
  policy: Policy;
  alerting: Alerting;
  sla: { targetPct: number };
  /** Always set by `parseConfig`; configs built in code (replay) may leave it out for the defaults. */
  dataPlane?: DataPlaneSettings;
  /** Always set by `parseConfig`; absent in configs built in code (then nothing is resolved). */
  publicDns?: { enabled: boolean; servers: string[]; everySeconds: number };
  /** Always set by `parseConfig`; configs built in code may leave it out for the defaults. */
  monitor?: MonitorSettings;
  /** Always set by `parseConfig`; configs built in code may leave it out for the default (1,000). */
  lambdaConcurrencyQuota?: number;
  sites: Site[];
}

/** One thing wrong with a config, with where it is and how to fix it. */
export interface ConfigIssue {
  path: string;
  message: string;
  hint?: string;
}

export type ConfigParse =
  | { ok: true; config: Config; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[] };

/** Parses and checks a config, applying every default. Collects every problem rather than the first. */
export function parseConfig(input: unknown): ConfigParse {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    // The policy's coherence checks need a parsed policy; when the rest of the file has problems
    // but the policy and regions parse, they still speak, so one run lists every problem.
    const issues = parsed.error.issues.map(describeZodIssue);
    const sections = policyAndRegions.safeParse(input);
    if (sections.success) checkPolicy(sections.data.policy, sections.data.regions, issues);
    return { ok: false, issues };
  }
  const raw = parsed.data;
  const issues: ConfigIssue[] = [];
  checkPolicy(raw.policy, raw.regions, issues);
  const deploymentIssues = [...issues];
  const sites = raw.sites.map((site, s) => {
    const resolved = resolveSite(site, s, raw.sla.targetPct, issues);
    return { ...resolved, ...resolveSiteSettings(site, s, raw, deploymentIssues, issues) };
  });
  checkUnique(
    raw.sites.map((s) => s.id),
    "sites",
    "id",
    issues,
  );
  checkUnique(
    raw.sites.map((s) => s.hostname.toLowerCase()),
    "sites",
    "hostname",
    issues,
  );
  checkUnique(raw.regions, "regions", undefined, issues);
  checkWebhooks(raw.alerting.webhooks, "alerting.webhooks", issues);
  // A site's tier as it is deployed: the deployment's switch turns the data plane off for all of them.
  const tiered = sites.map((site) => ({
    ...site,
    dataPlane: raw.dataPlane.enabled && site.dataPlane !== false,
  }));
  const config: Config = { ...raw, sites: tiered };
  const quota = issues.length === 0 ? healthCheckQuotaIssue(config) : undefined;
  const quotaIssue = quota && {
    path: "dataPlane.healthCheckQuota",
    message: quota.message,
    hint: quota.hint,
  };
  if (quotaIssue && quota?.severity === "error") issues.push(quotaIssue);
  if (issues.length > 0) return { ok: false, issues };
  const warnings = collectWarnings(config);
  if (quotaIssue) warnings.push(quotaIssue);
  return { ok: true, config, warnings };
}

/** Just the policy and the regions of a config (other keys are ignored here). */
const policyAndRegions = z.object({ policy: z.prefault(policySchema, {}), regions: regionsSchema });

type SiteEntry = z.infer<typeof siteEntrySchema>;

/**
 * A site's policy and alerting: the deployment's with the site's own merged over them, each checked
 * as a whole where the site wrote something (an issue the deployment's own section already has is
 * said once, at the deployment's path).
 */
function resolveSiteSettings(
  site: SiteEntry,
  s: number,
  raw: z.infer<typeof configSchema>,
  deploymentIssues: readonly ConfigIssue[],
  issues: ConfigIssue[],
): Pick<Site, "policy" | "alerting" | "tags"> {
  const path = `sites.${s}`;
  const policy = mergeOver(raw.policy, site.policy);
  if (site.policy) {
    const own: ConfigIssue[] = [];
    checkPolicy(policy, raw.regions, own, `${path}.policy`);
    const known = new Set(deploymentIssues.map((i) => `${i.path}\u0000${i.message}`));
    issues.push(...own.filter((i) => !known.has(`${i.path.replace(`${path}.`, "")}\u0000${i.message}`)));
    const tick = raw.policy.cadenceSeconds;
    if (policy.cadenceSeconds % tick !== 0) {
      const below = Math.max(1, Math.floor(policy.cadenceSeconds / tick)) * tick;
      const above = Math.ceil(policy.cadenceSeconds / tick) * tick;
      issues.push({
        path: `${path}.policy.cadenceSeconds`,
        message: `${policy.cadenceSeconds} s is not a whole multiple of the deployment's policy.cadenceSeconds (${tick} s): a site's probes run on every k-th probe tick`,
        hint: `use ${below === above ? below : `${below} or ${above}`}`,
      });
    }
  }
  const { eventBus: _deploymentBus, ...deploymentAlerting } = raw.alerting;
  const { eventBus, ...ownAlerting } = site.alerting ?? {};
  if (eventBus !== undefined) {
    issues.push({
      path: `${path}.alerting.eventBus`,
      message: "the event bus is the deployment's: every site's events go to alerting.eventBus",
      hint: "remove it here; to hand one customer's events on, add an EventBridge rule matching detail.site on that bus (docs/events.md)",
    });
  }
  let slack = deploymentAlerting.slack;
  if (ownAlerting.slack) {
    // Merged from a part: a site with Slack of its own and none at the top must still name a channel.
    const merged = slackAlertingSchema.safeParse(
      mergeOver(deploymentAlerting.slack ?? {}, ownAlerting.slack),
    );
    if (merged.success) slack = merged.data;
    else {
      for (const issue of merged.error.issues) {
        issues.push({
          path: [`${path}.alerting.slack`, ...issue.path.map(String)].join("."),
          message: plainMessage(issue),
          hint: "a site's slack section is merged over alerting.slack; with none there, give the site a channel",
        });
      }
    }
  }
  const webhooks = ownAlerting.webhooks ?? deploymentAlerting.webhooks;
  if (ownAlerting.webhooks) checkWebhooks(ownAlerting.webhooks, `${path}.alerting.webhooks`, issues);
  checkUnique(site.tags, `${path}.tags`, undefined, issues);
  const pagerduty = mergedChannel(
    pagerDutyAlertingSchema,
    deploymentAlerting.pagerduty,
    ownAlerting.pagerduty,
    `${path}.alerting.pagerduty`,
    issues,
  );
  const teams = mergedChannel(
    teamsAlertingSchema,
    deploymentAlerting.teams,
    ownAlerting.teams,
    `${path}.alerting.teams`,
    issues,
  );
  return {
    policy,
    alerting: {
      ...(slack ? { slack } : {}),
      webhooks,
      ...(pagerduty ? { pagerduty } : {}),
      ...(teams ? { teams } : {}),
    },
    tags: site.tags,
  };
}

/**
 * A site's PagerDuty or Teams section merged over the deployment's, checked whole at the site's
 * path: a site with its own and none at the top must name its secret reference.
 */
function mergedChannel<T extends object>(
  schema: z.ZodMiniType<T>,
  deployment: T | undefined,
  own: Partial<T> | undefined,
  path: string,
  issues: ConfigIssue[],
): T | undefined {
  if (!own) return deployment;
  const merged = schema.safeParse(mergeOver<Record<string, unknown>>({ ...deployment }, own));
  if (merged.success) return merged.data;
  for (const issue of merged.error.issues) {
    issues.push({
      path: [path, ...issue.path.map(String)].join("."),
      message: plainMessage(issue),
      hint: `a site's ${path.split(".").pop()} section is merged over the deployment's alerting; with none there, give the site its own secret reference`,
    });
  }
  return undefined;
}

function resolveSite(
  site: SiteEntry,
  s: number,
  slaTarget: number,
  issues: ConfigIssue[],
): Omit<Site, "policy" | "alerting" | "tags"> {
  checkUnique(
    site.providers.map((p) => p.id),
    `sites.${s}.providers`,
    "id",
    issues,
  );
  const providers = site.providers.map((p, i): Provider => {
    const path = `sites.${s}.providers.${i}`;
    const issuer =
      p.issuer ??
      (p.kind === "entra" && p.tenantId ? `https://login.microsoftonline.com/${p.tenantId}/v2.0` : undefined);
    const listed: ProbeSpec[] = p.probes ?? [{ kind: "oidc-discovery" }, { kind: "jwks" }];
    const specs =
      site.frontDoor?.probe && !listed.some((spec) => spec.kind === "front-door")
        ? [...listed, { kind: "front-door" as const }]
        : listed;
    const probes = specs.map((spec) => ({
      ...(spec.kind === "front-door" ? frontDoorDefaults(spec, site, p.dnsTarget, site.recordType) : spec),
      name: spec.name ?? spec.kind,
      criticality: spec.criticality ?? defaultCriticality[spec.kind as ProbeKind],
    }));
    checkUnique(
      probes.map((p) => p.name),
      `${path}.probes`,
      "name",
      issues,
    );
    const needsIssuer = probes.some((probe) => probe.kind === "oidc-discovery" || probe.kind === "token");
    if (needsIssuer && !issuer) {
      issues.push({
        path: `${path}.issuer`,
        message: "an issuer is required for oidc-discovery and token probes",
        hint:
          p.kind === "entra"
            ? "set tenantId (the issuer is then https://login.microsoftonline.com/{tenantId}/v2.0) or issuer"
            : "for Okta use https://{org}.okta.com/oauth2/default (custom authorization server) or https://{org}.okta.com",
      });
    }
    checkDnsTarget(site.recordType, p.dnsTarget, `${path}.dnsTarget`, issues);
    checkOffLoginHostname(site.hostname, p.dnsTarget, issuer, probes, path, issues);
    const role = i === 0 ? "primary" : "secondary";
    if (p.role !== undefined && p.role !== role) {
      issues.push({
        path: `${path}.role`,
        message: `${p.id} is listed ${i === 0 ? "first" : `at position ${i + 1}`}, so it is the ${role}`,
        hint: "providers are in priority order: put the primary first (role may then be left out)",
      });
    }
    return {
      id: p.id,
      kind: p.kind,
      role,
      ...(issuer ? { issuer } : {}),
      ...(p.tenantId ? { tenantId: p.tenantId } : {}),
      dnsTarget: p.dnsTarget,
      setIdentifier: p.setIdentifier ?? p.id,
      slaTargetPct: p.slaTargetPct ?? slaTarget,
      probes,
    };
  });
  checkUnique(
    providers.map((p) => p.setIdentifier),
    `sites.${s}.providers`,
    "setIdentifier",
    issues,
  );
  checkUnique(
    providers.map((p) => normalHost(p.dnsTarget)),
    `sites.${s}.providers`,
    "dnsTarget",
    issues,
    "each provider needs its own path: with one target, a failover would change nothing users reach",
  );
  const { continuity: continuityInput, policy: _policy, alerting: _alerting, tags: _tags, ...rest } = site;
  const continuity =
    continuityInput && resolveContinuity(continuityInput, providers, `sites.${s}.continuity`, issues);
  return { ...rest, providers, ...(continuity ? { continuity } : {}) };
}

/** The front-door probe with every default filled in from the site and the provider's path. */
function frontDoorDefaults(
  spec: Extract<ProbeSpec, { kind: "front-door" }>,
  site: z.infer<typeof siteSchema>,
  dnsTarget: string,
  recordType: Site["recordType"],
): Extract<ProbeSpec, { kind: "front-door" }> {
  const target = dnsTarget.replace(/\.$/, "");
  const expectIssuer = spec.expectIssuer ?? site.frontDoor?.issuer;
  const issuerPath = expectIssuer ? new URL(expectIssuer).pathname.replace(/\/$/, "") : "";
  return {
    ...spec,
    url: spec.url ?? `https://${recordType === "AAAA" ? `[${target}]` : target}`,
    hostname: spec.hostname ?? site.hostname.toLowerCase(),
    path: spec.path ?? site.frontDoor?.path ?? `${issuerPath}/.well-known/openid-configuration`,
    ...(expectIssuer ? { expectIssuer } : {}),
    expiryWarningDays: spec.expiryWarningDays ?? site.frontDoor?.expiryWarningDays ?? 14,
  };
}

/** A host name compared as DNS does: lowercase, without the root's trailing dot. */
function normalHost(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/** Whether `host` is the login hostname or a name under it. */
function onLoginHostname(host: string, hostname: string): boolean {
  const h = normalHost(host);
  const login = normalHost(hostname);
  return h === login || h.endsWith(`.${login}`);
}

/*
 * The login hostname moves between providers on failover, so nothing the probes measure a provider by
 * may sit on it: a probe that follows the flip measures whichever side is live, and would call a down
 * provider healthy once traffic has left it. Nor may a provider's record point back at the login name.
 */
function checkOffLoginHostname(
  hostname: string,
  dnsTarget: string,
  issuer: string | undefined,
  probes: readonly ProbeSpec[],
  path: string,
  issues: ConfigIssue[],
): void {
  if (normalHost(dnsTarget) === normalHost(hostname)) {
    issues.push({
      path: `${path}.dnsTarget`,
      message: `dnsTarget is the login hostname ${hostname} itself`,
      hint: "point it at the front door's path to this provider, like okta.idp.example.com (docs/login-hostname.md)",
    });
  }
  if (issuer && onLoginHostname(new URL(issuer).hostname, hostname)) {
    issues.push({
      path: `${path}.issuer`,
      message: `the issuer ${issuer} is on the login hostname ${hostname}: its probes would follow the failover and measure whichever provider is live`,
      hint: "use the provider's own issuer (https://{org}.okta.com/oauth2/default, https://login.microsoftonline.com/{tenant}/v2.0); the front-door probe checks the login hostname's path",
    });
  }
  probes.forEach((probe, j) => {
    for (const field of probeUrlFields) {
      const value = (probe as Record<string, unknown>)[field];
      if (typeof value !== "string" || !URL.canParse(value)) continue;
      if (!onLoginHostname(new URL(value).hostname, hostname)) continue;
      issues.push({
        path: `${path}.probes.${j}.${field}`,
        message: `${value} is on the login hostname ${hostname}: the probe would follow the failover and measure whichever provider is live`,
        hint:
          probe.kind === "front-door"
            ? "leave url out (it defaults to https://{dnsTarget}); the probe sends the login hostname as TLS SNI and Host itself"
            : "use the provider's own host name; the front-door probe checks the login hostname's path",
      });
    }
  });
}

const probeUrlFields = ["url", "tokenUrl", "orgUrl", "loginUrl", "graphUrl"] as const;

function checkDnsTarget(type: Site["recordType"], target: string, path: string, issues: ConfigIssue[]): void {
  const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
  const ok =
    type === "A"
      ? ipv4.test(target)
      : type === "AAAA"
        ? target.includes(":") && /^[0-9a-f:.]+$/i.test(target)
        : /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/i.test(target);
  if (!ok) {
    issues.push({
      path,
      message: `not a valid ${type} target: ${JSON.stringify(target)}`,
      hint:
        type === "CNAME"
          ? "the host name the provider gave you for your custom domain, like acme.customdomains.okta.com"
          : `an ${type === "A" ? "IPv4" : "IPv6"} address, or set recordType: CNAME`,
    });
  }
}

/** The longest a probe round can take: every attempt running into the timeout, with the confirm delays between. */
export function worstRoundMs(policy: Policy): number {
  const { retries, delayMs } = policy.confirm;
  return policy.probeTimeoutMs * (retries + 1) + delayMs * retries;
}

/** A policy's fields that must agree with each other; `at` is where the policy is (a site's: `sites.3.policy`). */
export function checkPolicy(policy: Policy, regions: string[], issues: ConfigIssue[], at = "policy"): void {
  if (policy.quorum > regions.length) {
    issues.push({
      path: `${at}.quorum`,
      message: `quorum ${policy.quorum} is more than the ${regions.length} probe region(s)`,
      hint: "with 3 regions use quorum 2: one region's network trouble then never fails you over",
    });
  }
  const { steps } = policy.failback;
  if (steps.some((step, i) => i > 0 && step <= (steps[i - 1] ?? 0)) || steps.at(-1) !== 100) {
    issues.push({
      path: `${at}.failback.steps`,
      message: `steps must rise and end at 100, got [${steps.join(", ")}]`,
      hint: "for example [10, 50, 100]",
    });
  }
  if (policy.failure.failedRoundsInWindow > policy.failure.windowRounds) {
    issues.push({
      path: `${at}.failure.failedRoundsInWindow`,
      message: `cannot exceed ${at}.failure.windowRounds`,
    });
  }
  const attemptMs = worstRoundMs(policy);
  if (policy.staleAfterSeconds * 1000 <= attemptMs) {
    issues.push({
      path: `${at}.staleAfterSeconds`,
      message: `a round can take ${attemptMs} ms under timeouts, longer than staleAfterSeconds`,
      hint: "raise staleAfterSeconds, or lower probeTimeoutMs or confirm.retries",
    });
  }
  if (policy.staleAfterSeconds < policy.cadenceSeconds * 2) {
    issues.push({
      path: `${at}.staleAfterSeconds`,
      message: "must be at least two probe rounds (2 x cadenceSeconds)",
      hint: `try ${policy.cadenceSeconds * 4}`,
    });
  }
  if (policy.slowMs >= policy.probeTimeoutMs) {
    issues.push({
      path: `${at}.slowMs`,
      message: "must be below probeTimeoutMs, or nothing can ever be slow",
    });
  }
}

/** One list of webhooks: names unique (each is an outbox channel), URLs that pass `checkOutboundUrl`. */
function checkWebhooks(webhooks: readonly WebhookTarget[], path: string, issues: ConfigIssue[]): void {
  checkUnique(
    webhooks.map((w) => w.name),
    path,
    "name",
    issues,
    "each webhook's name is its delivery channel: two with one name would deliver to only one of them",
  );
  webhooks.forEach((webhook, i) => {
    // A config never admits loopback or private addresses: `idpctl webhook test --allow-private` is
    // the one way to reach a local receiver (a config flag would be one edit away in production).
    const check = checkOutboundUrl(webhook.url, { allowInsecure: webhook.allowInsecure });
    if (!check.ok) issues.push({ path: `${path}.${i}.url`, message: check.message, hint: check.hint });
  });
}

function checkUnique(
  values: string[],
  path: string,
  field: string | undefined,
  issues: ConfigIssue[],
  hint?: string,
): void {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const first = seen.get(value);
    if (first !== undefined) {
      issues.push({
        path: field ? `${path}.${i}.${field}` : `${path}.${i}`,
        message: `duplicate ${field ?? "value"} ${JSON.stringify(value)} (also at ${path}.${first})`,
        ...(hint ? { hint } : {}),
      });
    } else seen.set(value, i);
  });
}

function collectWarnings(config: Config): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  config.sites.forEach((site, s) => {
    if (site.ttl > 300) {
      warnings.push({
        path: `sites.${s}.ttl`,
        message: `TTL ${site.ttl}s: resolvers keep the old answer that long after a failover`,
        hint: "60 seconds is usual for a failover record",
      });
    }
    if (!site.providers.some((p) => p.probes.some((probe) => probe.kind === "front-door"))) {
      warnings.push({
        path: `sites.${s}.frontDoor`,
        message: `nothing probes what users reach at ${site.hostname}: no front door declared and no front-door probe`,
        hint: "declare frontDoor.issuer (the issuer your apps trust); each provider's path is then probed (docs/login-hostname.md)",
      });
    }
    site.providers.forEach((p, i) => {
      if (!p.probes.some((probe) => probe.kind === "token")) {
        warnings.push({
          path: `sites.${s}.providers.${i}.probes`,
          message: `${p.id} has no token probe: a signing-key outage would go unseen`,
        });
      }
    });
  });
  if (config.policy.quorum === 1 && config.regions.length > 1) {
    warnings.push({
      path: "policy.quorum",
      message: "quorum 1: a network fault near a single probe region can fail you over",
    });
  }
  warnings.push(...siteSettingsWarnings(config));
  return warnings;
}

/** What a site's own settings make likely to surprise: its quorum, and its own Slack app half configured. */
function siteSettingsWarnings(config: Config): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const top = config.alerting.slack;
  config.sites.forEach((site, s) => {
    if (site.policy.quorum === 1 && config.policy.quorum !== 1 && config.regions.length > 1) {
      warnings.push({
        path: `sites.${s}.policy.quorum`,
        message: "quorum 1: a network fault near a single probe region can fail this site over",
      });
    }
    const slack = site.alerting.slack;
    if (!slack || !top || slack.botTokenRef === top.botTokenRef) return;
    // Another bot token is usually another workspace, where the deployment's channel and people are not.
    if (slack.channel === top.channel) {
      warnings.push({
        path: `sites.${s}.alerting.slack.channel`,
        message: `this site has its own Slack bot (${slack.botTokenRef}) but posts to the deployment's channel ${top.channel}`,
        hint: "name the channel in the site's workspace that the bot is invited to",
      });
    }
    if (
      sameSettings(slack.approvers, top.approvers) &&
      top.approvers.users.length + top.approvers.userGroups.length > 0
    ) {
      warnings.push({
        path: `sites.${s}.alerting.slack.approvers`,
        message: `this site has its own Slack bot (${slack.botTokenRef}) but the deployment's approvers`,
        hint: "name the approvers in the site's workspace (user ids and user groups are per workspace)",
      });
    }
  });
  if (!top && config.sites.some((site) => site.alerting.slack)) {
    warnings.push({
      path: "alerting.slack",
      message:
        "sites have Slack of their own but the deployment has none: deployment-wide alerts (the monitor's impaired regions) and monthly reports reach no Slack channel",
      hint: "set alerting.slack for the people who run the deployment",
    });
  }
  return warnings;
}

/** Hints by the last key of the offending path, for the mistakes people make. */
const hints: Record<string, string> = {
  hostedZoneId: "find it with `aws route53 list-hosted-zones`; it looks like Z0123456789ABCDEFGHIJ",
  hostname: "the name users sign in at, like login.example.com",
  regions: "AWS region names where probes run, like [us-east-1, us-west-2, eu-west-1]",
  homeRegion: "the AWS region of the table and the evaluator",
  kind: "providers: okta | entra | oidc; probes: http | oidc-discovery | jwks | token | saml-metadata | okta-api | graph-health | front-door | interactive-sign-in",
  clientSecretRef:
    "name the environment variable or SST secret that holds the secret; never paste the secret",
  tokenRef: "name the environment variable or SST secret that holds the API token; never paste the token",
  privateKeyRef: "name the environment variable or SST secret that holds the PEM key",
  ttl: "seconds; 60 is usual for a failover record",
  sites: "at least one site: hostname, hostedZoneId and two providers",
  providers: "in priority order: the first is the primary",
};

const describeZodIssue = issueDescriber(configSchema, (path) => hints[String(path.at(-1) ?? "")]);

/**
 * Words zod's issues for people, for a document parsed with `schema` (the config, a replay scenario):
 * an unknown key with the known key it most resembles, a missing field said plainly, and the hint
 * `hintFor` has for the issue's path.
 */
export function issueDescriber(
  schema: z.core.$ZodType,
  hintFor: (path: readonly PropertyKey[]) => string | undefined,
): (issue: z.core.$ZodIssue) => ConfigIssue {
  const knownKeys = new Set<string>();
  collectKeys(schema, knownKeys);
  return (issue) => {
    const path = issue.path.map(String).join(".") || "(top level)";
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys;
      const suggestions = keys
        .map((key) => closestKey(key, knownKeys))
        .filter((s): s is string => s !== undefined);
      return {
        path: keys.length === 1 && issue.path.length > 0 ? `${path}.${keys[0]}` : path,
        message: `unknown key${keys.length > 1 ? "s" : ""} ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
        hint:
          suggestions.length > 0
            ? `did you mean ${suggestions.join(", ")}?`
            : "remove it, or check its spelling",
      };
    }
    const hint = hintFor(issue.path);
    return { path, message: plainMessage(issue), ...(hint ? { hint } : {}) };
  };
}

/** Zod's message, except that a missing field says so plainly. */
function plainMessage(issue: { code?: string; message: string; expected?: unknown }): string {
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return `required (${String(issue.expected ?? "a value")}), but missing`;
  }
  return issue.message;
}

function collectKeys(schema: z.core.$ZodType, into: Set<string>): void {
  const def = (schema as unknown as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return;
  const visit = (value: unknown) => {
    if (value && typeof value === "object" && "_zod" in value) collectKeys(value as z.core.$ZodType, into);
  };
  if (def.type === "object") {
    for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
      into.add(key);
      visit(value);
    }
  }
  for (const key of ["innerType", "element", "in", "out"]) visit(def[key]);
  if (Array.isArray(def.options)) def.options.forEach(visit);
}

function closestKey(key: string, knownKeys: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of knownKeys) {
    const k = key.toLowerCase();
    const c = candidate.toLowerCase();
    // A misspelt prefix counts too: "cadense" is close to "cadenceSeconds".
    const d = Math.min(
      editDistance(k, c),
      c.length > k.length ? editDistance(k, c.slice(0, k.length)) + 1 : Infinity,
    );
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The primary of a site: the first provider in its list. */
export function primaryOf(site: Site): Provider {
  const primary = site.providers[0];
  if (!primary) throw new Error(`site ${site.id} has no providers`);
  return primary;
}

export function findSite(config: Config, siteId: string): Site | undefined {
  return config.sites.find((s) => s.id === siteId);
}
