import { createHash } from "node:crypto";
import * as z from "@idp-failover/core/zod-mini";
import type { ClientCredentials } from "@idp-failover/http";
import { createGraphClient, entraGraphCredentials, GraphTransport } from "@idp-failover/http/graph";
import { type Client, GraphError } from "@microsoft/microsoft-graph-client";
import type { AttemptContext, ProbeCheck, ProbeSpecOf } from "../probe-context.js";
import { ProbeFailure } from "../probe-failure.js";
import { requireSecret } from "../secrets.js";

/*
 * Microsoft's own word on Entra: Microsoft 365 service health through Microsoft Graph
 * (`GET /v1.0/admin/serviceAnnouncement/healthOverviews`, permission ServiceHealth.Read.All), read with
 * the Graph SDK and an app-only token from the tenant's token endpoint. A configured service whose
 * status is not operational is class `upstream`: the verdict engine weighs it as degraded, never down,
 * because Microsoft marks advisories on services whose sign-ins work. While it is not operational, the
 * service's open issues are read too (`$expand=issues`): one that says backup authentication is in
 * use names that vendor mode. Microsoft documents no field for it, so this reads the issue's words.
 */

type GraphSpec = ProbeSpecOf<"graph-health">;

/** Statuses (serviceHealthStatus) under which sign-ins are expected to work. */
const operational = new Set(
  [
    "serviceOperational",
    "serviceRestored",
    "falsePositive",
    "investigationSuspended",
    "resolved",
    "resolvedExternal",
    "mitigated",
    "mitigatedExternal",
    "postIncidentReviewPublished",
  ].map((s) => s.toLowerCase()),
);

const healthPageSchema = z.looseObject({
  value: z.array(z.looseObject({ service: z.string(), status: z.string(), id: z.optional(z.string()) })),
  "@odata.nextLink": z.optional(z.string()),
});

export const checkGraphHealth: ProbeCheck<"graph-health"> = async (spec, context) => {
  const secret = requireSecret(context.secrets, spec.clientSecretRef);
  const credentials = graphCredentials(spec, secret, context);
  // The token first, outside the SDK: its failures keep their class (the SDK would wrap them).
  const accessToken = await credentials.accessToken(context.signal);
  const transport = new GraphTransport(context.http, () => context.signal);
  const client = createGraphClient({
    transport,
    accessToken: async () => accessToken,
    graphUrl: spec.graphUrl,
  });

  let path = "/admin/serviceAnnouncement/healthOverviews";
  for (let page = 0; page < 5; page++) {
    let body: unknown;
    try {
      body = await client.api(path).get();
    } catch (error) {
      throw graphFailure(error, transport, () => credentials.forget());
    }
    const parsed = healthPageSchema.safeParse(body);
    if (!parsed.success) {
      throw new ProbeFailure("content", "Graph healthOverviews answer has no value list", {
        status: transport.status,
      });
    }
    const wanted = namesOf(spec.service);
    const entry = parsed.data.value.find(
      (s) => wanted.has(s.service.toLowerCase()) || (s.id !== undefined && wanted.has(s.id.toLowerCase())),
    );
    if (entry) {
      if (!operational.has(entry.status.toLowerCase())) {
        const backupAuth = await backupAuthenticationNamed(client, entry.service);
        const note = backupAuth ? " (an open issue says backup authentication is in use)" : "";
        throw new ProbeFailure(
          "upstream",
          `Microsoft service health: ${entry.service} is ${entry.status}${note}`,
          {
            status: transport.status,
            ...(backupAuth ? { mode: "backup-auth" as const } : {}),
          },
        );
      }
      return { latencyMs: transport.latencyMs, status: transport.status };
    }
    const next = parsed.data["@odata.nextLink"];
    if (!next) break;
    path = next;
  }
  throw new ProbeFailure("content", `service health lists no service named ${spec.service.slice(0, 60)}`, {
    status: transport.status,
    retryable: false,
  });
};

const issuesSchema = z.looseObject({
  issues: z.optional(
    z.array(
      z.looseObject({
        title: z.optional(z.string()),
        impactDescription: z.optional(z.string()),
        isResolved: z.optional(z.boolean()),
      }),
    ),
  ),
});

/** Whether an open issue of the service says backup authentication is in use (best effort). */
async function backupAuthenticationNamed(client: Client, service: string): Promise<boolean> {
  try {
    const body: unknown = await client
      .api(`/admin/serviceAnnouncement/healthOverviews/${encodeURIComponent(service)}`)
      .expand("issues")
      .get();
    const parsed = issuesSchema.safeParse(body);
    if (!parsed.success) return false;
    return (parsed.data.issues ?? []).some(
      (issue) =>
        issue.isResolved !== true &&
        /backup authentication/i.test(`${issue.title ?? ""} ${issue.impactDescription ?? ""}`),
    );
  } catch {
    return false; // the status alone still degrades the provider
  }
}

/**
 * The app's Graph token, kept in the probe memory between rounds (reused until five minutes before
 * it expires), one per tenant, app, login and Graph host, and secret: a rotated secret mints anew.
 */
function graphCredentials(spec: GraphSpec, secret: string, context: AttemptContext): ClientCredentials {
  const fingerprint = createHash("sha256").update(secret).digest("base64url").slice(0, 16);
  const key = `graph|${spec.loginUrl ?? ""}|${spec.tenantId}|${spec.clientId}|${spec.graphUrl ?? ""}|${fingerprint}`;
  const kept = context.memory.tokens.get(key);
  if (kept) return kept;
  for (const [other, credentials] of context.memory.tokens) {
    if (!credentials.holdsTokenAt(context.now())) context.memory.tokens.delete(other);
  }
  const credentials = entraGraphCredentials(
    {
      tenantId: spec.tenantId,
      clientId: spec.clientId,
      clientSecret: secret,
      loginUrl: spec.loginUrl,
      graphUrl: spec.graphUrl,
    },
    { http: context.http, clock: { now: context.now } },
  );
  context.memory.tokens.set(key, credentials);
  return credentials;
}

function graphFailure(error: unknown, transport: GraphTransport, forgetToken: () => void): ProbeFailure {
  if (transport.failure) return ProbeFailure.from(transport.failure);
  const status = error instanceof GraphError ? error.statusCode : transport.status;
  const code = error instanceof GraphError && error.code ? ` ${error.code}` : "";
  if (status === undefined || status <= 0 || (status >= 200 && status < 300)) {
    return new ProbeFailure("content", "Graph answer could not be read (not JSON?)", {
      cause: error,
      ...(status !== undefined && status > 0 ? { status } : {}),
    });
  }
  if (status === 401 || status === 403) {
    forgetToken();
    return new ProbeFailure(
      "auth",
      `Graph: HTTP ${status}${code}: token rejected (needs ServiceHealth.Read.All)`,
      {
        status,
      },
    );
  }
  if (status === 429) return new ProbeFailure("upstream", `Graph rate limited: HTTP 429${code}`, { status });
  if (status >= 500) return new ProbeFailure("http-5xx", `Graph: HTTP ${status}${code}`, { status });
  return new ProbeFailure("http-4xx", `Graph: HTTP ${status}${code}`, { status });
}

/**
 * Microsoft renamed Azure Active Directory to Microsoft Entra in 2023, and tenants' service health
 * has listed it under either name: asking for one finds the other.
 */
const entraNames = [
  "microsoft entra",
  "microsoft entra id",
  "azure active directory",
  "azureactivedirectory",
];

function namesOf(service: string): Set<string> {
  const name = service.toLowerCase();
  return new Set(entraNames.includes(name) ? entraNames : [name]);
}
