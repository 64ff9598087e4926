import { type CertificateExtension, generate } from "selfsigned";

/*
 * A certificate authority made at test (or drill) time, so the stand-ins serve real HTTPS that a
 * client trusts only when told to: by an extra CA passed to the probes, or by NODE_EXTRA_CA_CERTS.
 * EC P-256 keys keep generation to a few milliseconds.
 */

/** A private key and the certificate chain a TLS server presents. */
export interface TlsIdentity {
  key: string;
  cert: string;
}

export interface IssueOptions {
  /** DNS names and IP addresses the certificate is valid for. Default 127.0.0.1, ::1 and localhost. */
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

export interface TestCa {
  /** The CA certificate (PEM): what a client must trust. */
  certPem: string;
  /** Issues a server certificate signed by this CA. */
  issue(options?: IssueOptions): Promise<TlsIdentity>;
}

const day = 86_400_000;
const loopbackHosts = ["127.0.0.1", "::1", "localhost"];

export async function createTestCa(options: { commonName?: string } = {}): Promise<TestCa> {
  const now = Date.now();
  const ca = await generate([{ name: "commonName", value: options.commonName ?? "idp-failover test CA" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now - day),
    notAfterDate: new Date(now + 30 * day),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return {
    certPem: ca.cert,
    async issue(issue: IssueOptions = {}): Promise<TlsIdentity> {
      const hosts = issue.hosts ?? loopbackHosts;
      const leaf = await generate(
        [{ name: "commonName", value: issue.commonName ?? hosts[0] ?? "localhost" }],
        {
          keyType: "ec",
          algorithm: "sha256",
          ca: { key: ca.private, cert: ca.cert },
          notBeforeDate: issue.notBefore ?? new Date(now - day),
          notAfterDate: issue.notAfter ?? new Date(now + 7 * day),
          extensions: serverExtensions(hosts),
        },
      );
      return { key: leaf.private, cert: leaf.cert };
    },
  };
}

/** A self-signed certificate of the kind an IdP publishes as its SAML signing certificate. */
export async function createSigningCertificate(options: {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}): Promise<TlsIdentity> {
  const pems = await generate([{ name: "commonName", value: options.commonName }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: options.notBefore,
    notAfterDate: options.notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** The base64 body of a PEM certificate, as it appears in SAML metadata and JWKS `x5c`. */
export function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "")
    .trim();
}

function serverExtensions(hosts: string[]): CertificateExtension[] {
  const ip = /^[\d.]+$|:/;
  return [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: hosts.map((host) =>
        ip.test(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host },
      ),
    },
  ];
}
