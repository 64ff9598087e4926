import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { XMLParser } from "fast-xml-parser";
import { closeServer, escapeXml, readBody, startOnLoopback } from "./http-parts.js";

/*
 * Route 53's control plane on 127.0.0.1, speaking its REST XML API (2013-04-01) as the AWS SDK sends
 * it: hosted zones, resource record sets (CREATE / DELETE / UPSERT in all-or-nothing change batches,
 * validated like Route 53 does), changes that go PENDING -> INSYNC after a delay, and paginated
 * listing in Route 53's order. Errors use Route 53's envelope
 * (`<ErrorResponse><Error><Type/><Code/><Message/>...`).
 *
 * Test controls: `failNext` injects Throttling, PriorRequestNotComplete, InvalidChangeBatch,
 * AccessDenied...; `holdPending` keeps changes PENDING; `requests` counts control-plane calls, so a
 * test can assert that none happened.
 *
 * The data plane: `resolve(name)` answers as Route 53 would for a weighted group, with health taken
 * from a map the test sets (`setHealth`): only non-zero weights while any is healthy; zero weights
 * when every non-zero record is unhealthy; all records as healthy when none is. Health checks
 * themselves (CreateHealthCheck, calculated checks) can be added as routes (`addRoute`) later.
 */

const namespace = "https://route53.amazonaws.com/doc/2013-04-01/";

export type Route53Operation =
  | "ChangeResourceRecordSets"
  | "ListResourceRecordSets"
  | "GetChange"
  | "CreateHostedZone"
  | "GetHostedZone"
  | (string & {});

export type Route53FaultCode =
  | "Throttling"
  | "PriorRequestNotComplete"
  | "InvalidChangeBatch"
  | "InvalidInput"
  | "AccessDenied"
  | "NoSuchHostedZone"
  | "InternalError";

export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

/** A resource record set as the stand-in keeps it. Names are lowercase and end with a dot. */
export interface StoredRecordSet {
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
  values: string[];
  aliasTarget?: AliasTarget;
  healthCheckId?: string;
}

export interface StoredChange {
  id: string;
  zoneId: string;
  submittedAt: number;
  comment?: string;
  changes: Array<{ action: string; record: StoredRecordSet }>;
}

export interface Route53Request {
  method: string;
  path: string;
  operation: Route53Operation;
  at: number;
}

export interface WeightedAnswer {
  setIdentifier?: string;
  values: string[];
  aliasTarget?: string;
  weight: number;
  /** Share of queries answered with this record, 0..1. */
  share: number;
}

export interface Resolution {
  name: string;
  type: string;
  answers: WeightedAnswer[];
  /** Why these records: `healthy`, `zero-weight fallback`, `all unhealthy` or `no records`. */
  rule: string;
}

export interface Route53StandInOptions {
  port?: number;
  /** How long a change stays PENDING. Default 50 ms. */
  insyncAfterMs?: number;
  /** Page size cap for ListResourceRecordSets (Route 53: 300). */
  maxItems?: number;
}

export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: string;
}

export interface RouteReply {
  status: number;
  body: string;
}

export class Route53Error extends Error {
  override name = "Route53Error";
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly messages: string[] = [],
  ) {
    super(message);
  }
}

interface Route {
  method: string;
  pattern: RegExp;
  operation: Route53Operation;
  handle: (context: RouteContext) => RouteReply;
}

interface Fault {
  code: Route53FaultCode;
  operation: Route53Operation | "*";
  remaining: number;
  message?: string;
}

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ["Change", "ResourceRecord"].includes(name),
});

export class Route53StandIn {
  readonly requests: Route53Request[] = [];
  readonly changes: StoredChange[] = [];
  private readonly zones = new Map<string, { id: string; name: string; callerReference: string }>();
  private readonly recordSets = new Map<string, StoredRecordSet[]>();
  private readonly health = new Map<string, boolean>();
  private readonly faults: Fault[] = [];
  private readonly routes: Route[] = [];
  private pendingHeld = false;
  insyncAfterMs: number;
  private readonly maxItems: number;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: Route53StandInOptions,
  ) {
    this.insyncAfterMs = options.insyncAfterMs ?? 50;
    this.maxItems = options.maxItems ?? 300;
    this.addRoute("POST", /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, "ChangeResourceRecordSets", (c) =>
      this.changeRecordSets(c),
    );
    this.addRoute("GET", /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, "ListResourceRecordSets", (c) =>
      this.listRecordSets(c),
    );
    this.addRoute("GET", /^\/2013-04-01\/change\/([^/]+)$/, "GetChange", (c) => this.getChange(c));
    this.addRoute("POST", /^\/2013-04-01\/hostedzone\/?$/, "CreateHostedZone", (c) =>
      this.createHostedZone(c),
    );
    this.addRoute("GET", /^\/2013-04-01\/hostedzone\/([^/]+)$/, "GetHostedZone", (c) =>
      this.getHostedZone(c),
    );
  }

  static start(options: Route53StandInOptions = {}): Promise<Route53StandIn> {
    return startOnLoopback(
      (server, url) => new Route53StandIn(server, url, options),
      (standIn, req, res) => standIn.serve(req, res),
      options.port,
    );
  }

  /** Registers another API route (health checks, later): answered like the built-in ones. */
  addRoute(
    method: string,
    pattern: RegExp,
    operation: Route53Operation,
    handle: (context: RouteContext) => RouteReply,
  ): void {
    this.routes.push({ method, pattern, operation, handle });
  }

  // ---- test controls ----------------------------------------------------------------------------

  /** A hosted zone (id without the /hostedzone/ prefix). */
  createZone(name: string, id = `Z${randomBytes(8).toString("hex").toUpperCase()}`): string {
    this.zones.set(id, { id, name: fqdn(name), callerReference: id });
    this.recordSets.set(id, []);
    return id;
  }

  /** Puts records directly, as if created long ago (no change, no request counted). */
  seed(zoneId: string, records: Array<Omit<StoredRecordSet, "values"> & { values?: string[] }>): void {
    const sets = this.zoneRecords(zoneId);
    for (const record of records) {
      const normalized = { ...record, name: fqdn(record.name), values: record.values ?? [] };
      const at = sets.findIndex((r) => sameRecord(r, normalized));
      if (at >= 0) sets[at] = normalized;
      else sets.push(normalized);
    }
  }

  /** The zone's records, optionally of one name, in Route 53's list order. */
  records(zoneId: string, name?: string): StoredRecordSet[] {
    const sets = [...this.zoneRecords(zoneId)].sort(compareRecords);
    return (name ? sets.filter((r) => r.name === fqdn(name)) : sets).map((r) => structuredClone(r));
  }

  /** The next `times` requests (of one operation, or any) fail with this error. */
  failNext(
    code: Route53FaultCode,
    options: { times?: number; operation?: Route53Operation | "*"; message?: string } = {},
  ): void {
    this.faults.push({
      code,
      operation: options.operation ?? "ChangeResourceRecordSets",
      remaining: options.times ?? 1,
      ...(options.message ? { message: options.message } : {}),
    });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Changes stay PENDING until `releasePending()` (a slow propagation). */
  holdPending(): void {
    this.pendingHeld = true;
  }

  releasePending(): void {
    this.pendingHeld = false;
  }

  setHealth(healthCheckId: string, healthy: boolean): void {
    this.health.set(healthCheckId, healthy);
  }

  /** Control-plane requests seen, of one operation or all. */
  count(operation?: Route53Operation): number {
    return operation ? this.requests.filter((r) => r.operation === operation).length : this.requests.length;
  }

  /** What Route 53 would answer for `name` (and `type`, default: the first type the name has). */
  resolve(name: string, type?: string): Resolution {
    const target = fqdn(name);
    const all = [...this.recordSets.values()].flat().filter((r) => r.name === target);
    const chosenType = type ?? all.find((r) => r.type === "CNAME")?.type ?? all[0]?.type ?? "A";
    const group = all.filter((r) => r.type === chosenType);
    const { pool, rule } = answerPool(group, (id) => this.health.get(id) ?? true);
    const total = pool.reduce((sum, r) => sum + (r.weight ?? 0), 0);
    const answers = pool.map((r) => ({
      ...(r.setIdentifier !== undefined ? { setIdentifier: r.setIdentifier } : {}),
      values: [...r.values],
      ...(r.aliasTarget ? { aliasTarget: r.aliasTarget.dnsName } : {}),
      weight: r.weight ?? 0,
      share: total > 0 ? (r.weight ?? 0) / total : 1 / pool.length,
    }));
    return { name: target, type: chosenType, answers: answers.filter((a) => a.share > 0), rule };
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const requestId = randomBytes(16).toString("hex");
    const route = this.routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    const operation = route?.operation ?? "Unknown";
    this.requests.push({ method, path: url.pathname, operation, at: Date.now() });
    let reply: RouteReply;
    try {
      if (!route) throw new Route53Error("InvalidAction", 400, `no such API: ${method} ${url.pathname}`);
      if (!req.headers.authorization)
        throw new Route53Error("MissingAuthenticationToken", 403, "Missing Authentication Token");
      this.injectFault(operation);
      const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
      reply = route.handle({ params, query: url.searchParams, body });
    } catch (error) {
      reply = errorReply(error, requestId);
    }
    res.writeHead(reply.status, {
      "content-type": "text/xml",
      "x-amzn-requestid": requestId,
      "content-length": Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
  }

  private injectFault(operation: Route53Operation): void {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.operation === "*" || f.operation === operation),
    );
    if (!fault) return;
    fault.remaining--;
    const messages: Record<Route53FaultCode, [number, string]> = {
      Throttling: [400, "Rate exceeded"],
      PriorRequestNotComplete: [
        400,
        "The request was rejected because Route 53 was still processing a prior request.",
      ],
      InvalidChangeBatch: [400, "Injected: the change batch is invalid"],
      InvalidInput: [400, "Injected: invalid input"],
      AccessDenied: [
        403,
        "User: arn:aws:sts::123456789012:assumed-role/evaluator is not authorized to perform: route53:ChangeResourceRecordSets",
      ],
      NoSuchHostedZone: [404, "No hosted zone found"],
      InternalError: [500, "We encountered an internal error. Please try again."],
    };
    const [status, message] = messages[fault.code];
    const text = fault.message ?? message;
    throw new Route53Error(fault.code, status, text, fault.code === "InvalidChangeBatch" ? [text] : []);
  }

  // ---- operations -------------------------------------------------------------------------------

  private zoneRecords(zoneId: string): StoredRecordSet[] {
    const sets = this.recordSets.get(zoneId);
    if (!sets) throw new Route53Error("NoSuchHostedZone", 404, `No hosted zone found with ID: ${zoneId}`);
    return sets;
  }

  private changeRecordSets({ params, body }: RouteContext): RouteReply {
    const zoneId = params[0] ?? "";
    const zone = this.zones.get(zoneId);
    const current = this.zoneRecords(zoneId);
    if (!zone) throw new Route53Error("NoSuchHostedZone", 404, `No hosted zone found with ID: ${zoneId}`);
    const request = parseXml(body).ChangeResourceRecordSetsRequest;
    const batch = objectAt(request, "ChangeBatch");
    const changes = arrayAt(objectAt(batch, "Changes"), "Change");
    if (changes.length === 0)
      throw new Route53Error("InvalidInput", 400, "Invalid request: Missing field 'Changes'");
    const parsed = changes.map((change) => ({
      action: textAt(change, "Action"),
      record: parseRecordSet(objectAt(change, "ResourceRecordSet")),
    }));
    const next = applyChanges(zone.name, current, parsed);
    this.recordSets.set(zoneId, next);
    const comment = optionalText(batch, "Comment");
    const change: StoredChange = {
      id: `C${randomBytes(10).toString("hex").toUpperCase().slice(0, 18)}`,
      zoneId,
      submittedAt: Date.now(),
      ...(comment !== undefined ? { comment } : {}),
      changes: parsed,
    };
    this.changes.push(change);
    return ok("ChangeResourceRecordSetsResponse", changeInfoXml(change, this.statusOf(change)));
  }

  private listRecordSets({ params, query }: RouteContext): RouteReply {
    const sets = [...this.zoneRecords(params[0] ?? "")].sort(compareRecords);
    const maxItems = Math.min(Number(query.get("maxitems") ?? this.maxItems) || this.maxItems, this.maxItems);
    const startName = query.get("name");
    const startType = query.get("type");
    const startIdentifier = query.get("identifier");
    if (startType && !startName) {
      throw new Route53Error(
        "InvalidInput",
        400,
        "Invalid request: StartRecordType requires StartRecordName",
      );
    }
    const startKey: StoredRecordSet | undefined = startName
      ? {
          name: fqdn(startName),
          type: startType ?? "",
          values: [],
          ...(startIdentifier ? { setIdentifier: startIdentifier } : {}),
        }
      : undefined;
    const from = startKey ? sets.findIndex((r) => compareRecords(r, startKey) >= 0) : 0;
    const page = from < 0 ? [] : sets.slice(from, from + maxItems);
    const next = from < 0 ? undefined : sets[from + maxItems];
    const inner = [
      `<ResourceRecordSets>${page.map(recordSetXml).join("")}</ResourceRecordSets>`,
      `<IsTruncated>${next ? "true" : "false"}</IsTruncated>`,
      `<MaxItems>${maxItems}</MaxItems>`,
      ...(next
        ? [
            `<NextRecordName>${escapeXml(next.name)}</NextRecordName>`,
            `<NextRecordType>${next.type}</NextRecordType>`,
            ...(next.setIdentifier !== undefined
              ? [`<NextRecordIdentifier>${escapeXml(next.setIdentifier)}</NextRecordIdentifier>`]
              : []),
          ]
        : []),
    ].join("");
    return ok("ListResourceRecordSetsResponse", inner);
  }

  private getChange({ params }: RouteContext): RouteReply {
    const id = (params[0] ?? "").replace(/^\/?change\//, "");
    const change = this.changes.find((c) => c.id === id);
    if (!change)
      throw new Route53Error(
        "NoSuchChange",
        404,
        `A change with the specified change ID does not exist: ${id}`,
      );
    return ok("GetChangeResponse", changeInfoXml(change, this.statusOf(change)));
  }

  private createHostedZone({ body }: RouteContext): RouteReply {
    const request = parseXml(body).CreateHostedZoneRequest;
    const name = textAt(request, "Name");
    const callerReference = textAt(request, "CallerReference");
    if ([...this.zones.values()].some((z) => z.callerReference === callerReference)) {
      throw new Route53Error(
        "HostedZoneAlreadyExists",
        409,
        `A hosted zone has already been created with the caller reference ${callerReference}`,
      );
    }
    const id = this.createZone(name);
    const zone = this.zones.get(id);
    if (zone) zone.callerReference = callerReference;
    const change: StoredChange = {
      id: `C${randomBytes(9).toString("hex").toUpperCase()}`,
      zoneId: id,
      submittedAt: Date.now(),
      changes: [],
    };
    this.changes.push(change);
    const inner = `${hostedZoneXml(id, fqdn(name), callerReference, 0)}${changeInfoXml(change, "PENDING")}<DelegationSet><NameServers><NameServer>ns-1.awsdns-00.com</NameServer></NameServers></DelegationSet>`;
    return { status: 201, body: document("CreateHostedZoneResponse", inner) };
  }

  private getHostedZone({ params }: RouteContext): RouteReply {
    const zone = this.zones.get(params[0] ?? "");
    if (!zone) throw new Route53Error("NoSuchHostedZone", 404, `No hosted zone found with ID: ${params[0]}`);
    const count = this.zoneRecords(zone.id).length;
    return ok("GetHostedZoneResponse", hostedZoneXml(zone.id, zone.name, zone.callerReference, count));
  }

  private statusOf(change: StoredChange): "PENDING" | "INSYNC" {
    if (this.pendingHeld) return "PENDING";
    return Date.now() - change.submittedAt >= this.insyncAfterMs ? "INSYNC" : "PENDING";
  }
}

/** Starts a Route 53 stand-in on a random port of 127.0.0.1. */
export function startRoute53StandIn(options: Route53StandInOptions = {}): Promise<Route53StandIn> {
  return Route53StandIn.start(options);
}

// ---- the answer rules -----------------------------------------------------------------------------

/**
 * Which records of a weighted group answer queries (Route 53 Developer Guide, "How Amazon Route 53
 * chooses records when health checking is configured"): a record without a health check is always
 * healthy; only non-zero weights are considered while any of them is healthy; zero-weight records
 * only when every non-zero one is unhealthy; when every record is unhealthy, all count as healthy.
 */
export function answerPool(
  group: readonly StoredRecordSet[],
  isHealthy: (healthCheckId: string) => boolean,
): { pool: StoredRecordSet[]; rule: string } {
  if (group.length === 0) return { pool: [], rule: "no records" };
  const healthy = (r: StoredRecordSet) => r.healthCheckId === undefined || isHealthy(r.healthCheckId);
  const nonZero = group.filter((r) => (r.weight ?? 0) > 0 || r.weight === undefined);
  const healthyNonZero = nonZero.filter(healthy);
  if (healthyNonZero.length > 0) return { pool: healthyNonZero, rule: "healthy" };
  const healthyZero = group.filter((r) => r.weight === 0 && healthy(r));
  if (healthyZero.length > 0) return { pool: healthyZero, rule: "zero-weight fallback" };
  return { pool: nonZero.length > 0 ? nonZero : [...group], rule: "all unhealthy" };
}

// ---- change validation ----------------------------------------------------------------------------

function applyChanges(
  zoneName: string,
  current: readonly StoredRecordSet[],
  changes: ReadonlyArray<{ action: string; record: StoredRecordSet }>,
): StoredRecordSet[] {
  const problems: string[] = [];
  const next = current.map((r) => structuredClone(r));
  const seen = new Set<string>();
  for (const { action, record } of changes) {
    const id = describe(record);
    if (seen.has(id)) {
      problems.push(
        `The request contains an invalid set of changes for a resource record set '${record.type} ${record.name}'`,
      );
      continue;
    }
    seen.add(id);
    problems.push(...validateRecord(zoneName, record));
    const at = next.findIndex((r) => sameRecord(r, record));
    if (action === "CREATE") {
      if (at >= 0) problems.push(`Tried to create resource record set ${id} but it already exists`);
      else next.push(record);
    } else if (action === "DELETE") {
      if (
        at < 0 ||
        JSON.stringify(normalizeForCompare(next[at])) !== JSON.stringify(normalizeForCompare(record))
      ) {
        problems.push(`Tried to delete resource record set ${id} but it was not found`);
      } else next.splice(at, 1);
    } else if (action === "UPSERT") {
      if (at >= 0) next[at] = record;
      else next.push(record);
    } else {
      throw new Route53Error(
        "InvalidInput",
        400,
        `Invalid request: Action ${JSON.stringify(action)} is not CREATE, DELETE or UPSERT`,
      );
    }
  }
  problems.push(...validateGroups(next));
  if (problems.length > 0) {
    const messages = problems.map((p) => `[${p}]`);
    throw new Route53Error("InvalidChangeBatch", 400, messages.join(", "), messages);
  }
  return next;
}

function validateRecord(zoneName: string, r: StoredRecordSet): string[] {
  const problems: string[] = [];
  if (r.name !== zoneName && !r.name.endsWith(`.${zoneName}`)) {
    problems.push(`RRSet with DNS name ${r.name} is not permitted in zone ${zoneName}`);
  }
  if (r.setIdentifier !== undefined && r.weight === undefined) {
    problems.push(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation...] for ${describe(r)}`,
    );
  }
  if (r.weight !== undefined && r.setIdentifier === undefined) {
    problems.push(`Invalid request: SetIdentifier is required for a weighted record ${describe(r)}`);
  }
  if (r.weight !== undefined && (!Number.isInteger(r.weight) || r.weight < 0 || r.weight > 255)) {
    problems.push(`Invalid Weight ${r.weight} for ${describe(r)}: must be 0..255`);
  }
  if (r.aliasTarget) {
    if (r.ttl !== undefined || r.values.length > 0) {
      problems.push(`Alias target for ${describe(r)} cannot have a TTL or resource records`);
    }
  } else {
    if (r.ttl === undefined) problems.push(`Invalid request: Missing field 'TTL' for ${describe(r)}`);
    if (r.values.length === 0)
      problems.push(`Invalid request: Missing field 'ResourceRecords' for ${describe(r)}`);
    if (r.type === "CNAME" && r.values.length > 1) problems.push(`CNAME ${r.name} can have only one value`);
  }
  return problems;
}

/** Rules across records of one name: no mixing of routing policies, CNAME alone at its name. */
function validateGroups(records: readonly StoredRecordSet[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, StoredRecordSet[]>();
  for (const r of records) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, group] of byName) {
    const types = new Set(group.map((r) => r.type));
    if (types.has("CNAME") && types.size > 1) {
      problems.push(
        `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name`,
      );
    }
    for (const type of types) {
      const sameType = group.filter((r) => r.type === type);
      const weighted = sameType.filter((r) => r.setIdentifier !== undefined);
      if (weighted.length > 0 && weighted.length < sameType.length) {
        problems.push(
          `RRSet with DNS name ${name}, type ${type} cannot mix records with and without a SetIdentifier`,
        );
      }
      if (weighted.length > 100) problems.push(`Too many weighted records for ${name} ${type} (max 100)`);
    }
  }
  return problems;
}

// ---- XML ------------------------------------------------------------------------------------------

type XmlNode = Record<string, unknown>;

function parseXml(body: string): XmlNode {
  try {
    const parsed: unknown = xml.parse(body);
    if (parsed && typeof parsed === "object") return parsed as XmlNode;
  } catch {
    // fall through to the error below
  }
  throw new Route53Error("InvalidInput", 400, "Invalid request: the body is not well-formed XML");
}

function objectAt(node: unknown, key: string): XmlNode {
  const value = node && typeof node === "object" ? (node as XmlNode)[key] : undefined;
  if (value && typeof value === "object" && !Array.isArray(value)) return value as XmlNode;
  throw new Route53Error("InvalidInput", 400, `Invalid request: Missing field '${key}'`);
}

function arrayAt(node: XmlNode, key: string): XmlNode[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter((v): v is XmlNode => Boolean(v) && typeof v === "object") : [];
}

function optionalText(node: XmlNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === "string" ? value : undefined;
}

function textAt(node: unknown, key: string): string {
  const value = node && typeof node === "object" ? (node as XmlNode)[key] : undefined;
  if (typeof value === "string" && value.length > 0) return value;
  throw new Route53Error("InvalidInput", 400, `Invalid request: Missing field '${key}'`);
}

function parseRecordSet(node: XmlNode): StoredRecordSet {
  const weight = optionalText(node, "Weight");
  const ttl = optionalText(node, "TTL");
  const setIdentifier = optionalText(node, "SetIdentifier");
  const healthCheckId = optionalText(node, "HealthCheckId");
  const resourceRecords =
    node.ResourceRecords && typeof node.ResourceRecords === "object" ? (node.ResourceRecords as XmlNode) : {};
  const alias =
    node.AliasTarget && typeof node.AliasTarget === "object" ? (node.AliasTarget as XmlNode) : undefined;
  const number = (text: string, field: string) => {
    const n = Number(text);
    if (!Number.isFinite(n))
      throw new Route53Error(
        "InvalidInput",
        400,
        `Invalid request: ${field} ${JSON.stringify(text)} is not a number`,
      );
    return n;
  };
  return {
    name: fqdn(textAt(node, "Name")),
    type: textAt(node, "Type"),
    ...(setIdentifier !== undefined ? { setIdentifier } : {}),
    ...(weight !== undefined ? { weight: number(weight, "Weight") } : {}),
    ...(ttl !== undefined ? { ttl: number(ttl, "TTL") } : {}),
    values: arrayAt(resourceRecords, "ResourceRecord").map((r) => textAt(r, "Value")),
    ...(alias
      ? {
          aliasTarget: {
            hostedZoneId: textAt(alias, "HostedZoneId"),
            dnsName: fqdn(textAt(alias, "DNSName")),
            evaluateTargetHealth: optionalText(alias, "EvaluateTargetHealth") === "true",
          },
        }
      : {}),
    ...(healthCheckId !== undefined ? { healthCheckId } : {}),
  };
}

function recordSetXml(r: StoredRecordSet): string {
  return [
    "<ResourceRecordSet>",
    `<Name>${escapeXml(r.name)}</Name>`,
    `<Type>${r.type}</Type>`,
    r.setIdentifier !== undefined ? `<SetIdentifier>${escapeXml(r.setIdentifier)}</SetIdentifier>` : "",
    r.weight !== undefined ? `<Weight>${r.weight}</Weight>` : "",
    r.ttl !== undefined ? `<TTL>${r.ttl}</TTL>` : "",
    r.values.length > 0
      ? `<ResourceRecords>${r.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join("")}</ResourceRecords>`
      : "",
    r.aliasTarget
      ? `<AliasTarget><HostedZoneId>${r.aliasTarget.hostedZoneId}</HostedZoneId><DNSName>${escapeXml(r.aliasTarget.dnsName)}</DNSName><EvaluateTargetHealth>${r.aliasTarget.evaluateTargetHealth}</EvaluateTargetHealth></AliasTarget>`
      : "",
    r.healthCheckId !== undefined ? `<HealthCheckId>${escapeXml(r.healthCheckId)}</HealthCheckId>` : "",
    "</ResourceRecordSet>",
  ].join("");
}

function changeInfoXml(change: StoredChange, status: string): string {
  return [
    "<ChangeInfo>",
    `<Id>/change/${change.id}</Id>`,
    `<Status>${status}</Status>`,
    `<SubmittedAt>${new Date(change.submittedAt).toISOString()}</SubmittedAt>`,
    change.comment !== undefined ? `<Comment>${escapeXml(change.comment)}</Comment>` : "",
    "</ChangeInfo>",
  ].join("");
}

function hostedZoneXml(id: string, name: string, callerReference: string, count: number): string {
  return `<HostedZone><Id>/hostedzone/${id}</Id><Name>${escapeXml(name)}</Name><CallerReference>${escapeXml(callerReference)}</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>${count}</ResourceRecordSetCount></HostedZone>`;
}

function document(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${namespace}">${inner}</${root}>`;
}

function ok(root: string, inner: string): RouteReply {
  return { status: 200, body: document(root, inner) };
}

function errorReply(error: unknown, requestId: string): RouteReply {
  const e =
    error instanceof Route53Error
      ? error
      : new Route53Error("InternalError", 500, error instanceof Error ? error.message : String(error));
  const type = e.status >= 500 ? "Receiver" : "Sender";
  const messages =
    e.messages.length > 0
      ? `<messages>${e.messages.map((m) => `<Message>${escapeXml(m)}</Message>`).join("")}</messages>`
      : "";
  return {
    status: e.status,
    body: `<?xml version="1.0"?>\n<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message>${messages}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

// ---- names and order ------------------------------------------------------------------------------

function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

function describe(r: StoredRecordSet): string {
  return `[name='${r.name}', type='${r.type}'${r.setIdentifier !== undefined ? `, set-identifier='${r.setIdentifier}'` : ""}]`;
}

function sameRecord(a: StoredRecordSet, b: StoredRecordSet): boolean {
  return a.name === b.name && a.type === b.type && a.setIdentifier === b.setIdentifier;
}

function normalizeForCompare(r: StoredRecordSet | undefined): unknown {
  return r ? { ...r, values: [...r.values].sort() } : undefined;
}

/** Route 53 lists by name with its labels reversed (`com.example.login`), then type, then identifier. */
function compareRecords(a: StoredRecordSet, b: StoredRecordSet): number {
  const ka = a.name.split(".").reverse().join(".");
  const kb = b.name.split(".").reverse().join(".");
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  const ia = a.setIdentifier ?? "";
  const ib = b.setIdentifier ?? "";
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}
