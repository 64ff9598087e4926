import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.js";
import { testConfigInput } from "./testing.js";

/* Webhook lists, the deployment's and each site's own: names unique, URLs to public https receivers. */

const hook = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  name,
  url,
  secretRef: "HOOK_SECRET",
  ...extra,
});

function issuesOf(input: Record<string, unknown>) {
  const parsed = parseConfig(input);
  if (parsed.ok) throw new Error("expected the config to be refused");
  return parsed.issues;
}

describe("webhook validation", () => {
  it("refuses a URL with credentials at its path, without the password anywhere in the issue", () => {
    // Prepare
    const input = testConfigInput({
      alerting: { webhooks: [hook("ops", "https://ops:s3cr3t-pw@hooks.example.com/idp")] },
    });
    // Act
    const issues = issuesOf(input);
    // Assess
    expect(issues.map((i) => i.path)).toEqual(["alerting.webhooks.0.url"]);
    expect(JSON.stringify(issues)).not.toContain("s3cr3t-pw");
    expect(issues[0]?.message).toContain("https://hooks.example.com/idp");
  });

  it("refuses two deployment webhooks with one name", () => {
    // Act
    const issues = issuesOf(
      testConfigInput({
        alerting: {
          webhooks: [hook("ops", "https://a.example.com/"), hook("ops", "https://b.example.com/")],
        },
      }),
    );
    // Assess
    expect(issues.map((i) => i.path)).toEqual(["alerting.webhooks.1.name"]);
  });

  it("checks a site's own webhooks at the site's path", () => {
    // Act
    const issues = issuesOf(
      testConfigInput({
        sites: ["acme", "globex"],
        siteSettings: {
          globex: { alerting: { webhooks: [hook("noc", "https://169.254.169.254/latest/meta-data/")] } },
        },
      }),
    );
    // Assess
    expect(issues.map((i) => i.path)).toEqual(["sites.1.alerting.webhooks.0.url"]);
    expect(issues[0]?.message).toContain("cloud metadata service");
  });

  it("refuses a private host whatever the webhook says, and http unless allowInsecure (local tests only)", () => {
    // Prepare
    const local = "http://127.0.0.1:8080/hook";
    // Act
    const plain = issuesOf(testConfigInput({ alerting: { webhooks: [hook("a", local)] } }));
    const insecureLocal = issuesOf(
      testConfigInput({ alerting: { webhooks: [hook("a", local, { allowInsecure: true })] } }),
    );
    const optIn = parseConfig(
      testConfigInput({ alerting: { webhooks: [hook("a", local, { allowPrivate: true })] } }),
    );
    const publicHttp = issuesOf(
      testConfigInput({ alerting: { webhooks: [hook("a", "http://hooks.example.com/")] } }),
    );
    const publicHttpAllowed = parseConfig(
      testConfigInput({
        alerting: { webhooks: [hook("a", "http://hooks.example.com/", { allowInsecure: true })] },
      }),
    );
    // Assess: a config never reaches a local receiver; idpctl webhook test --allow-private does.
    expect(plain[0]?.hint).toContain("--allow-private");
    expect(insecureLocal[0]?.message).toContain("loopback");
    expect(optIn.ok).toBe(false);
    expect(publicHttp[0]?.hint).toContain("allowInsecure");
    expect(publicHttpAllowed.ok).toBe(true);
  });
});
