import { Resolver } from "node:dns/promises";

/*
 * What public DNS answers for a login hostname from where this process runs: the CNAME target (one
 * hop, which for a weighted CNAME is the provider's path Route 53 serves) or the A / AAAA addresses.
 * `servers` chooses the resolvers (host or host:port); without them, the system's (in Lambda, the
 * Route 53 Resolver of the region, which resolves public names like any recursive resolver).
 */

export interface PublicDnsOptions {
  servers?: readonly string[];
  /** Per try; default 2000 ms, 2 tries. */
  timeoutMs?: number;
  tries?: number;
}

export interface PublicDnsAnswer {
  /** Lowercase, without the trailing dot. */
  answers: string[];
  /** Why nothing answered: NXDOMAIN, NODATA, SERVFAIL, TIMEOUT, REFUSED, or the resolver's code. */
  error?: string;
}

const errorNames: Record<string, string> = {
  ENOTFOUND: "NXDOMAIN",
  ENODATA: "NODATA",
  ESERVFAIL: "SERVFAIL",
  ETIMEOUT: "TIMEOUT",
  ECONNREFUSED: "REFUSED",
  EREFUSED: "REFUSED",
};

export async function resolvePublicly(
  hostname: string,
  recordType: "CNAME" | "A" | "AAAA",
  options: PublicDnsOptions = {},
): Promise<PublicDnsAnswer> {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  try {
    const answers =
      recordType === "CNAME"
        ? await resolver.resolveCname(hostname)
        : recordType === "A"
          ? await resolver.resolve4(hostname)
          : await resolver.resolve6(hostname);
    return { answers: answers.map((a) => a.toLowerCase().replace(/\.$/, "")) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { answers: [], error: typeof code === "string" ? (errorNames[code] ?? code) : "ERROR" };
  } finally {
    resolver.cancel();
  }
}
