import { describe, expect, it } from "vitest";
import { checkOutboundUrl, classifyAddress, classifyHost, redactUrl } from "./network-address.js";

/*
 * Where webhooks may go: address literals in every spelling, the special names, and the URL rules
 * validate and delivery share.
 */

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["100.127.255.254", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["169.254.1.1", "link-local"],
    ["fe80::1", "link-local"],
    ["[fe80::1%eth0]", "link-local"],
    ["169.254.169.254", "metadata"],
    ["fd00:ec2::254", "metadata"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["2002:c0a8:0101::1", "private"],
    ["224.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["ff02::1", "reserved"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["2606:4700::1111", "public"],
    ["::ffff:8.8.8.8", "public"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it("says a name or a malformed literal is not an address", () => {
    expect(classifyAddress("hooks.example.com")).toBeUndefined();
    expect(classifyAddress("1.2.3.256")).toBeUndefined();
    expect(classifyAddress("1::2::3")).toBeUndefined();
    expect(classifyAddress("1:2:3:4:5:6:7:8:9")).toBeUndefined();
  });
});

describe("classifyHost", () => {
  it("treats localhost, its subdomains and the metadata name as what they reach", () => {
    expect(classifyHost("localhost")).toBe("loopback");
    expect(classifyHost("LOCALHOST.")).toBe("loopback");
    expect(classifyHost("app.localhost")).toBe("loopback");
    expect(classifyHost("metadata.google.internal")).toBe("metadata");
    expect(classifyHost("hooks.example.com")).toBe("public");
  });
});

describe("checkOutboundUrl", () => {
  it.each([
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://0177.0.0.1/hook",
    "https://127.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::1]/hook",
    "https://localhost:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://0.0.0.0/",
    "https://10.0.0.8/hook",
  ])("refuses %s, however the address is spelt", (url) => {
    const check = checkOutboundUrl(url);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.message).toContain("webhooks go to public receivers only");
  });

  it("refuses credentials without printing the password", () => {
    const check = checkOutboundUrl("https://ops:hunter2@hooks.example.com/hook");
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.message).toContain("https://hooks.example.com/hook");
    expect(`${check.message} ${check.hint}`).not.toContain("hunter2");
    expect(check.hint).toContain("secretRef");
  });

  it("refuses http unless allowInsecure, and private addresses even then unless allowPrivate", () => {
    expect(checkOutboundUrl("http://hooks.example.com/").ok).toBe(false);
    expect(checkOutboundUrl("http://hooks.example.com/", { allowInsecure: true }).ok).toBe(true);
    expect(checkOutboundUrl("http://127.0.0.1:8080/", { allowInsecure: true }).ok).toBe(false);
    expect(checkOutboundUrl("http://127.0.0.1:8080/", { allowInsecure: true, allowPrivate: true }).ok).toBe(
      true,
    );
  });

  it("never allows metadata or link-local addresses, even with allowPrivate", () => {
    const allowance = { allowInsecure: true, allowPrivate: true };
    expect(checkOutboundUrl("http://169.254.169.254/", allowance).ok).toBe(false);
    expect(checkOutboundUrl("http://[fe80::1]/", allowance).ok).toBe(false);
  });

  it("accepts a public https receiver", () => {
    expect(checkOutboundUrl("https://hooks.example.com/idp-failover").ok).toBe(true);
  });
});

describe("redactUrl", () => {
  it("removes userinfo from URLs and from text that is not quite one", () => {
    expect(redactUrl("https://u:p@h.example/x")).toBe("https://h.example/x");
    expect(redactUrl("https://u:p@[bad/x")).toBe("https://[bad/x");
  });
});
