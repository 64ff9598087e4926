import { createSigningCertificate, pemBody } from "@idp-failover/stand-ins";
import { beforeAll, describe, expect, it } from "vitest";
import { assessSigningCertificates, parseSamlMetadata } from "../../packages/probes/src/saml-metadata.js";

/* SAML metadata shapes beyond the two vendors' usual ones: aggregates, rollovers, odd KeyDescriptors. */

const day = 86_400_000;
const now = Date.parse("2026-06-01T00:00:00Z");
let valid: string;
let expired: string;
let future: string;

beforeAll(async () => {
  const make = async (from: number, to: number) =>
    pemBody(
      (
        await createSigningCertificate({
          commonName: "idp",
          notBefore: new Date(now + from * day),
          notAfter: new Date(now + to * day),
        })
      ).cert,
    );
  [valid, expired, future] = await Promise.all([make(-100, 400), make(-400, -1), make(10, 800)]);
});

function idp(
  keyDescriptors: string,
  sso = '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/sso"/>',
) {
  return `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keyDescriptors}${sso}</IDPSSODescriptor></EntityDescriptor>`;
}

function key(cert: string, use?: string) {
  return `<KeyDescriptor${use ? ` use="${use}"` : ""}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\n${cert.replace(/(.{64})/g, "$1\n")}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor>`;
}

describe("SAML metadata parsing", () => {
  it("reads a KeyDescriptor without use as a signing key, and certificates broken over lines", () => {
    // Act
    const report = parseSamlMetadata(idp(key(valid)));

    // Assess
    expect(report.entityId).toBe("https://idp.example");
    expect(report.certificates).toHaveLength(1);
  });

  it("finds the IdP inside an EntitiesDescriptor aggregate", () => {
    // Prepare
    const sp = '<EntityDescriptor entityID="https://sp.example"><SPSSODescriptor/></EntityDescriptor>';
    const xml = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${sp}${idp(key(valid, "signing")).replace(' xmlns="urn:oasis:names:tc:SAML:2.0:metadata"', "")}</EntitiesDescriptor>`;

    // Act
    const report = parseSamlMetadata(xml);

    // Assess
    expect(report.entityId).toBe("https://idp.example");
  });

  it("fails when only an encryption certificate is published", () => {
    expect(() => parseSamlMetadata(idp(key(valid, "encryption")))).toThrow("no signing certificate");
  });

  it("fails on service-provider metadata and on a missing sign-on service", () => {
    expect(() =>
      parseSamlMetadata('<EntityDescriptor entityID="x"><SPSSODescriptor/></EntityDescriptor>'),
    ).toThrow("no IDPSSODescriptor");
    expect(() => parseSamlMetadata(idp(key(valid), ""))).toThrow("SingleSignOnService");
  });

  it("fails on XML that is not well-formed", () => {
    expect(() => parseSamlMetadata("<EntityDescriptor><IDPSSODescriptor></EntityDescriptor>")).toThrow(
      "not well-formed",
    );
  });
});

describe("signing certificate expiry", () => {
  it("passes during a rollover when the newest certificate is valid, though the old one expired", () => {
    expect(() =>
      assessSigningCertificates(parseSamlMetadata(idp(key(expired) + key(valid))), now, 30),
    ).not.toThrow();
  });

  it("fails when every certificate has expired or is not valid yet", () => {
    expect(() => assessSigningCertificates(parseSamlMetadata(idp(key(expired))), now, 30)).toThrow(
      "expired on",
    );
    expect(() => assessSigningCertificates(parseSamlMetadata(idp(key(future))), now, 30)).toThrow(
      "not valid yet",
    );
  });

  it("warns inside the window and not outside it", () => {
    const report = parseSamlMetadata(idp(key(valid)));
    expect(() => assessSigningCertificates(report, now, 500)).toThrow(
      /expires on .* \(in (399|400) days, warning at 500\)/,
    );
    expect(() => assessSigningCertificates(report, now, 30)).not.toThrow();
  });
});
