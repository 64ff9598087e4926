/*
 * Where an outbound request (a webhook, an `idpctl webhook test`) may go. A URL an operator writes is
 * checked twice with the same rules: by `validate` on the URL's host as the WHATWG URL parser
 * normalises it (so `http://2130706433/` and `0x7f.1` are seen as the 127.0.0.1 they are), and at
 * delivery on every address the name resolves to (packages/http's guarded lookup), because a public
 * name can point anywhere. Pure: no DNS here.
 */

/**
 * What an address is. Only `public` is reachable by default; `loopback` and `private` are allowed for
 * local tests by `allowPrivate`; the rest never (the cloud metadata services, link-local, unspecified,
 * multicast and reserved ranges are never a receiver).
 */
export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "reserved";

/** Opt-ins a webhook may carry, each for local tests only (docs/webhooks.md). */
export interface OutboundAllowance {
  /** http as well as https. */
  allowInsecure?: boolean | undefined;
  /** Loopback and private addresses (127/8, ::1, localhost, 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). */
  allowPrivate?: boolean | undefined;
}

/** `href`: the URL as the WHATWG parser normalises it (the address a request goes to). */
export type OutboundUrlCheck = { ok: true; href: string } | { ok: false; message: string; hint: string };

const metadataNames = new Set(["metadata.google.internal"]);

/** The class of an IPv4 or IPv6 address literal (brackets and a zone allowed); undefined for a name. */
export function classifyAddress(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const v4 = parseIpv4(bare);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(bare);
  return v6 ? classifyIpv6(v6) : undefined;
}

/**
 * The class of a URL's host: an address literal's own, `loopback` for localhost and `*.localhost`
 * (RFC 6761), `metadata` for the cloud metadata names; `public` for any other name (its addresses
 * are checked when it is resolved).
 */
export function classifyHost(hostname: string): AddressClass {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const literal = classifyAddress(host);
  if (literal) return literal;
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
  if (metadataNames.has(host)) return "metadata";
  return "public";
}

/** Whether an address of this class may be reached under the allowance. */
export function addressAllowed(kind: AddressClass, allowance: OutboundAllowance = {}): boolean {
  if (kind === "public") return true;
  return (kind === "loopback" || kind === "private") && allowance.allowPrivate === true;
}

const classWords: Record<AddressClass, string> = {
  public: "a public address",
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  metadata: "a cloud metadata service",
  unspecified: "the unspecified address",
  reserved: "a reserved or multicast address",
};

/** Why an address of this class is refused, for messages ("169.254.169.254 is a cloud metadata service"). */
export function describeAddressClass(kind: AddressClass): string {
  return classWords[kind];
}

/** A URL with any `user:password@` removed, for messages and logs (never print the password). */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return url.toString();
    url.username = "";
    url.password = "";
    return url.toString();
  } catch {
    // Not a URL: still cut anything that looks like userinfo before the host.
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
  }
}

/**
 * The checks a webhook URL passes before anything is sent to it: an http(s) URL, https unless
 * `allowInsecure`, no credentials in it (they would be logged everywhere the URL is), and a host that
 * is not loopback, private, link-local, metadata, unspecified or reserved (unless `allowPrivate`, which
 * admits loopback and private only). Messages show the URL without its userinfo.
 */
export function checkOutboundUrl(raw: string, allowance: OutboundAllowance = {}): OutboundUrlCheck {
  const url = parseUrl(raw);
  if (!url) {
    return {
      ok: false,
      message: `not a URL: ${redactUrl(raw).slice(0, 120)}`,
      hint: "write the receiver's full URL, like https://hooks.example.com/idp-failover",
    };
  }
  const shown = redactUrl(raw);
  if (url.username || url.password) {
    return {
      ok: false,
      message: `the URL carries credentials (${shown} with a user${url.password ? " and password" : ""} before the host)`,
      hint: "remove them: requests are signed with the secret secretRef names; a receiver that needs its own token takes it in the path or a query parameter it checks",
    };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, message: `${shown}: not an http(s) URL`, hint: "use https://" };
  }
  const kind = classifyHost(url.hostname);
  if (!addressAllowed(kind, allowance)) {
    const opensWith = kind === "loopback" || kind === "private";
    return {
      ok: false,
      message: `${shown}: ${url.hostname} is ${describeAddressClass(kind)}; webhooks go to public receivers only`,
      hint: opensWith
        ? "use the receiver's public https URL; to try a receiver on this machine or your network, use idpctl webhook test --url URL --secret whsec_... --allow-private"
        : "use the receiver's public https URL (metadata, link-local, unspecified and reserved addresses are never allowed)",
    };
  }
  if (url.protocol === "http:" && allowance.allowInsecure !== true) {
    return {
      ok: false,
      message: `${shown}: plain http (the signed body and its headers would cross the network readable)`,
      hint: "use https; allowInsecure: true permits http, for local tests only",
    };
  }
  return { ok: true, href: url.href };
}

/** Not annotated with `URL`: the stacks' type-check sees the DOM's URL type, the rest Node's. */
function parseUrl(raw: string) {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function parseIpv4(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function classifyIpv4([a = 0, b = 0, c = 0, d = 0]: number[]): AddressClass {
  if (a === 169 && b === 254 && c === 169 && d === 254) return "metadata";
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b <= 127) return "private"; // CGNAT, RFC 6598
  if (a === 169 && b === 254) return "link-local";
  // IETF protocol assignments, benchmarking, multicast, and 240/4 with the broadcast address.
  if ((a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19)) || a >= 224) {
    return "reserved";
  }
  return "public";
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address. */
function parseIpv6(text: string): number[] | undefined {
  if (!text.includes(":") || !/^[0-9a-f:.]+$/i.test(text)) return undefined;
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted?.[1] && dotted[2]) {
    const v4 = parseIpv4(dotted[2]);
    if (!v4) return undefined;
    head = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
    tail.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined) =>
    part
      ? part.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN))
      : [];
  const left = groups(halves[0]);
  const right = [...groups(halves[1]), ...tail];
  if ([...left, ...right].some(Number.isNaN)) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...left, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...right];
}

function classifyIpv6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = () => classifyIpv4([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]);
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0 && g6 === 0) {
    if (g7 === 0) return "unspecified";
    if (g7 === 1) return "loopback";
  }
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address.
  if (zeroHead && (g5 === 0xffff || g5 === 0)) return embedded();
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded();
  // 6to4 (2002:AABB:CCDD::) carries its IPv4 address in the second and third groups.
  if (g0 === 0x2002) return classifyIpv4([g1 >> 8, g1 & 0xff, g2 >> 8, g2 & 0xff]);
  // The EC2 instance metadata service's IPv6 address, fd00:ec2::254.
  if (
    g0 === 0xfd00 &&
    g1 === 0xec2 &&
    g2 === 0 &&
    g3 === 0 &&
    g4 === 0 &&
    g5 === 0 &&
    g6 === 0 &&
    g7 === 0x254
  ) {
    return "metadata";
  }
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // unique local, fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return "reserved"; // multicast
  return "public";
}
