import { Agent } from "node:https";
import { createSecureContext } from "node:tls";
import { trustedCertificates } from "@idp-failover/probes";

/*
 * The connection pool a readiness run reads through: keep-alive (a run is thousands of requests to
 * two hosts; a handshake each would cost more CPU than the comparison), a few sockets per host (the
 * SDKs' own concurrency), and an extra CA when given one (a private CA, the stand-ins' test CA).
 * The CA goes in as one secure context: given as `ca`, Node's agent would fold the whole trust store
 * into the pool key of every request (a third of a run's CPU in bench/readiness).
 */
export function readinessAgent(options: { ca?: string; maxSockets?: number } = {}): Agent {
  const ca = trustedCertificates(options.ca);
  return new Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 8,
    ...(ca ? { secureContext: createSecureContext({ ca }) } : {}),
  });
}
