import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/*
 * The Slack app manifest asks for exactly the scopes the code needs: every Web API method called in
 * packages/slack is looked up here, so a new call without its scope (or a scope nothing uses) fails.
 */

const root = join(import.meta.dirname, "..", "..");

/** Bot scope each Web API method needs (docs.slack.dev method reference). */
const scopeOf: Record<string, string> = {
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "chat.postEphemeral": "chat:write",
  "usergroups.users.list": "usergroups:read",
  "files.uploadV2": "files:write",
};

/** Every Slack Web API method the product calls: alerts and approvals, and the monthly report. */
function methodsCalled(): string[] {
  const calls = new Set<string>();
  for (const pkg of ["slack", "report"]) {
    const dir = join(root, "packages", pkg, "src");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      const source = readFileSync(join(dir, file), "utf8");
      for (const match of source.matchAll(/\b(?:client|slack)\.([a-z]+)\.([a-zA-Z.]+)\(/g)) {
        calls.add(`${match[1]}.${match[2]}`);
      }
      // The SDK's upload helper: files.getUploadURLExternal + upload + files.completeUploadExternal.
      if (/\bclient\.filesUploadV2\(/.test(source)) calls.add("files.uploadV2");
    }
  }
  return [...calls].sort();
}

describe("slack/manifest.yaml", () => {
  const manifest = parse(readFileSync(join(root, "slack", "manifest.yaml"), "utf8"));

  it("asks for exactly the bot scopes of the Web API methods the code calls", () => {
    const called = methodsCalled();
    expect(called.length).toBeGreaterThan(0);
    for (const method of called) expect(scopeOf[method], `scope for ${method}`).toBeDefined();
    const needed = [...new Set(called.map((m) => scopeOf[m]))].sort();
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(needed);
  });

  it("turns interactivity on with an https request URL to replace", () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/^https:\/\/REPLACE-/);
    expect(manifest.display_information.name).toBe("idp-failover");
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.long_description.length).toBeGreaterThanOrEqual(175);
  });
});
