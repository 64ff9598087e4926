import { describe } from "vitest";
import { failure, type Idps, probeCases, useIdps } from "./support.js";

const idps = useIdps();

/** A GET of `path` on the Okta stand-in expecting `status`, with the checks given. */
function get(path: string, status = 200, checks: Record<string, unknown> = {}) {
  return ({ okta }: Idps) => ({
    kind: "http" as const,
    url: `${okta.url}${path}`,
    method: "GET" as const,
    expectStatus: [status],
    ...checks,
  });
}

const orgMetadata = "/.well-known/okta-organization";

describe("http probe", () => {
  probeCases(idps, { idp: "okta", spec: get(orgMetadata) }, [
    ["passes on the expected status", {}, { ok: true, status: 200, kind: "http" }],
    [
      "passes when an expected 401 comes back from an endpoint that needs credentials",
      { spec: get("/api/v1/org", 401) },
      { ok: true, status: 401 },
    ],
    [
      "fails as http-4xx on an unexpected client error",
      { spec: get("/no/such/page") },
      failure("http-4xx", { status: 404 }),
    ],
    [
      "passes when the body matches the regular expression",
      { spec: get(orgMetadata, 200, { bodyRegex: '"pipeline":"idx"' }) },
      { ok: true },
    ],
    [
      "fails as content when the body does not match the regular expression",
      { spec: get(orgMetadata, 200, { bodyRegex: "maintenance" }) },
      failure("content"),
    ],
    [
      "passes when a JSON path has the expected value",
      { spec: get(orgMetadata, 200, { jsonPath: "$.settings.bugReportingEnabled", jsonEquals: true }) },
      { ok: true },
    ],
    [
      "fails as content when a JSON path has another value, and says both",
      { spec: get(orgMetadata, 200, { jsonPath: "$.pipeline", jsonEquals: "v1" }) },
      { error: { class: "content", message: '$.pipeline is "idx", expected "v1"' } },
    ],
    [
      "fails as http-5xx for an outage",
      { fault: { mode: "http-5xx", status: 502 } },
      failure("http-5xx", { status: 502 }),
    ],
    ["fails as tcp for a reset", { fault: { mode: "reset" } }, failure("tcp")],
  ]);
});
