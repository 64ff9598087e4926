import { X509Certificate } from "node:crypto";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ProbeFailure } from "./probe-failure.js";

/*
 * SAML 2.0 IdP metadata (saml-metadata-2.0-os): an EntityDescriptor (alone or inside an
 * EntitiesDescriptor) with an IDPSSODescriptor that names a SingleSignOnService and publishes its
 * signing certificate(s) in KeyDescriptor elements (use="signing", or no use, which means both).
 * Namespace prefixes differ by vendor (Okta `md:`/`ds:`, Entra default namespaces), so they are
 * ignored. Several signing certificates are normal during a rollover: the latest-expiring valid one
 * decides when logins would break.
 */

export interface SamlMetadataReport {
  entityId: string;
  /** notAfter of each signing certificate, epoch ms. */
  certificates: { notBefore: number; notAfter: number; subject: string }[];
}

const arrays = new Set([
  "EntityDescriptor",
  "IDPSSODescriptor",
  "KeyDescriptor",
  "X509Data",
  "X509Certificate",
  "SingleSignOnService",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => arrays.has(name),
});

type XmlNode = Record<string, unknown>;

export function parseSamlMetadata(xml: string): SamlMetadataReport {
  const text = xml.replace(/^\uFEFF/, "").trim();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new ProbeFailure(
      "content",
      `metadata is not well-formed XML (line ${valid.err.line}: ${valid.err.msg.slice(0, 60)})`,
    );
  }
  const document: XmlNode = parser.parse(text);
  const entity = entityDescriptorOf(document);
  if (!entity) throw new ProbeFailure("content", "metadata has no EntityDescriptor (an HTML page instead?)");
  const idp = nodes(entity.IDPSSODescriptor)[0];
  if (!idp)
    throw new ProbeFailure(
      "content",
      "metadata has no IDPSSODescriptor: not an identity provider's metadata",
    );
  if (nodes(idp.SingleSignOnService).every((sso) => typeof sso["@_Location"] !== "string")) {
    throw new ProbeFailure("content", "IDPSSODescriptor has no SingleSignOnService location");
  }
  const certificates = nodes(idp.KeyDescriptor)
    .filter((key) => key["@_use"] === undefined || key["@_use"] === "signing")
    .flatMap((key) => nodes(asNode(key.KeyInfo)?.X509Data))
    .flatMap((data) => texts(data.X509Certificate))
    .map(readCertificate);
  if (certificates.length === 0)
    throw new ProbeFailure("content", "metadata publishes no signing certificate");
  return { entityId: String(entity["@_entityID"] ?? ""), certificates };
}

/** Fails when no signing certificate is valid now, or the last to expire does so within the window. */
export function assessSigningCertificates(
  report: SamlMetadataReport,
  now: number,
  warningDays: number,
): void {
  const current = report.certificates.filter((c) => c.notBefore <= now && now < c.notAfter);
  if (current.length === 0) {
    const latest = Math.max(...report.certificates.map((c) => c.notAfter));
    const when = latest <= now ? `expired on ${day(latest)}` : "is not valid yet";
    throw new ProbeFailure("content", `SAML signing certificate ${when}`, { retryable: false });
  }
  const lastExpiry = Math.max(...current.map((c) => c.notAfter));
  const daysLeft = Math.floor((lastExpiry - now) / 86_400_000);
  if (lastExpiry - now < warningDays * 86_400_000) {
    throw new ProbeFailure(
      "content",
      `SAML signing certificate expires on ${day(lastExpiry)} (in ${daysLeft} days, warning at ${warningDays})`,
      { retryable: false },
    );
  }
}

function entityDescriptorOf(document: XmlNode): XmlNode | undefined {
  const direct = nodes(document.EntityDescriptor)[0];
  if (direct) return direct;
  // An aggregate: the first entity that is an IdP.
  const all = nodes(asNode(document.EntitiesDescriptor)?.EntityDescriptor);
  return all.find((e) => e.IDPSSODescriptor !== undefined) ?? all[0];
}

function readCertificate(base64: string): { notBefore: number; notAfter: number; subject: string } {
  try {
    const cert = new X509Certificate(Buffer.from(base64.replace(/\s+/g, ""), "base64"));
    return {
      notBefore: Date.parse(cert.validFrom),
      notAfter: Date.parse(cert.validTo),
      subject: cert.subject,
    };
  } catch (error) {
    throw new ProbeFailure("content", "a signing certificate in the metadata does not parse", {
      cause: error,
    });
  }
}

function asNode(value: unknown): XmlNode | undefined {
  if (Array.isArray(value)) return asNode(value[0]);
  return value !== null && typeof value === "object" ? (value as XmlNode) : undefined;
}

function nodes(value: unknown): XmlNode[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is XmlNode => v !== null && typeof v === "object");
}

function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .map((v) =>
      typeof v === "string" ? v : v && typeof v === "object" ? (v as XmlNode)["#text"] : undefined,
    )
    .filter((v): v is string => typeof v === "string" && v.length > 0);
}

function day(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
