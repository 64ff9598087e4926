import { describe } from "vitest";
import { failure, type Idps, probeCases, tenantId, useIdps } from "./support.js";

const idps = useIdps();

function oktaMetadata({ okta }: Idps) {
  return { kind: "saml-metadata" as const, url: okta.samlMetadataUrl(), expiryWarningDays: 30 };
}

function entraMetadata({ entra }: Idps) {
  return { kind: "saml-metadata" as const, url: entra.samlMetadataUrl(tenantId), expiryWarningDays: 30 };
}

describe("saml-metadata probe", () => {
  probeCases(idps, { idp: "okta", spec: oktaMetadata }, [
    [
      "passes on Okta app metadata with a long-lived signing certificate",
      {},
      { ok: true, status: 200, kind: "saml-metadata", criticality: "signal" },
    ],
    [
      "passes on Entra federation metadata (default namespaces, a byte-order mark, two certificates)",
      { idp: "entra", spec: entraMetadata },
      { ok: true },
    ],
    [
      "warns as content while the signing certificate expires within the window",
      { fault: { mode: "expiring-cert" } },
      failure("content", {
        message: /expires on \d{4}-\d{2}-\d{2} \(in [45] days/,
        status: 200,
        attempts: 1,
      }),
    ],
    [
      "passes while the expiry is still outside the warning window",
      {
        fault: { mode: "expiring-cert" },
        spec: (standIns) => ({ ...oktaMetadata(standIns), expiryWarningDays: 2 }),
      },
      { ok: true },
    ],
    [
      "fails as content when the signing certificate has expired",
      { idp: "entra", spec: entraMetadata, fault: { mode: "expired-cert" } },
      failure("content", { message: "expired on" }),
    ],
    [
      "fails as content when an HTML page comes back instead of metadata",
      { fault: { mode: "bad-json", probes: ["saml-metadata"] } },
      failure("content"),
    ],
    [
      "fails as http-5xx when the metadata endpoint fails",
      { fault: { mode: "http-5xx", probes: ["saml-metadata"] } },
      failure("http-5xx", { status: 503 }),
    ],
  ]);
});
