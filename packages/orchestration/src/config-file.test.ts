import type { ConfigIssue } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { formatIssues } from "./config-file.js";

describe("formatIssues", () => {
  it("says each problem on its line with its hint beneath", () => {
    // Act
    const text = formatIssues([
      { path: "regions", message: "at least 2 regions", hint: "add a region" },
      { path: "sites.0.hostname", message: "not a host name" },
    ]);

    // Assess
    expect(text).toBe(
      "  regions: at least 2 regions\n    hint: add a region\n  sites.0.hostname: not a host name",
    );
  });

  it("says a problem repeated at the same place in many sites once, naming the others, and keeps the different one", () => {
    // Prepare: a thousand sites from one template, each without a front door; one with a bad host name.
    const issues: ConfigIssue[] = Array.from({ length: 1000 }, (_, i) => ({
      path: `sites.${i}.frontDoor`,
      message: `nothing probes what users reach at login.customer-${i}.example`,
      hint: "declare frontDoor.issuer",
    }));
    issues.splice(500, 0, { path: "sites.500.hostname", message: "not a host name" });

    // Act
    const text = formatIssues(issues);

    // Assess
    expect(text.split("\n")).toEqual([
      "  sites.0.frontDoor: nothing probes what users reach at login.customer-0.example",
      "    hint: declare frontDoor.issuer",
      "    the same at 999 more site(s): sites.1.frontDoor, sites.2.frontDoor, sites.3.frontDoor and 996 more",
      "  sites.500.hostname: not a host name",
    ]);
  });

  it("keeps apart problems at the same place whose hints differ", () => {
    // Act
    const text = formatIssues([
      { path: "sites.0.policy", message: "a", hint: "one" },
      { path: "sites.1.policy", message: "b", hint: "two" },
    ]);

    // Assess
    expect(text).toBe("  sites.0.policy: a\n    hint: one\n  sites.1.policy: b\n    hint: two");
  });
});
