import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import {
  type AddressClass,
  addressAllowed,
  classifyAddress,
  describeAddressClass,
  type OutboundAllowance,
} from "@idp-failover/core";

/*
 * The delivery half of core's network-address rules: the name is resolved here, every address it
 * resolves to is checked, and the socket connects to an address that was checked (this function is
 * the request's `lookup`, so there is no second lookup a rebinding DNS server could answer
 * differently). A refusal is an AddressRefusedError, which callers report as refused, not retried.
 */

/** Resolves a name to all its addresses (dns.lookup by default; tests inject one). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export class AddressRefusedError extends Error {
  override readonly name = "AddressRefusedError";
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly addressClass: AddressClass,
    options?: { cause?: unknown },
  ) {
    super(`${hostname} resolves to ${address}, ${describeAddressClass(addressClass)}`, options);
  }
}

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true } satisfies LookupAllOptions, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * A `lookup` for node:http(s) that refuses a name any of whose addresses is not allowed (one bad
 * answer among good ones is still a name pointed somewhere it should not be).
 */
export function guardedLookup(
  allowance: OutboundAllowance,
  resolveAll: ResolveAll = systemResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      (found) => {
        const wanted =
          options.family === 4 || options.family === 6
            ? found.filter((a) => a.family === options.family)
            : found;
        const refused = wanted
          .map((a) => ({ address: a.address, kind: classifyAddress(a.address) ?? "reserved" }))
          .find((a) => !addressAllowed(a.kind, allowance));
        if (refused) {
          callback(new AddressRefusedError(hostname, refused.address, refused.kind), "", 4);
          return;
        }
        const first = wanted[0];
        if (!first) {
          callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 4);
          return;
        }
        if (options.all) callback(null, wanted);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, "", 4),
    );
  };
}

/** The AddressRefusedError behind a failed request, however deep in its causes. */
export function addressRefusalOf(error: unknown): AddressRefusedError | undefined {
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof AddressRefusedError) return at;
  }
  return undefined;
}
