import { readFile } from "node:fs/promises";
import { detailTypes, eventSchemaVersion, toEntry } from "@idp-failover/aws";
import { domainEventSchema } from "@idp-failover/core";
import { describe, expect, it } from "vitest";

/*
 * docs/events.md is a contract for people writing EventBridge rules: every detail-type the publisher
 * uses is documented, and every example detail in it is a valid event of the current schema.
 */

const doc = await readFile(new URL("../../docs/events.md", import.meta.url), "utf8");
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? "") as unknown);

describe("docs/events.md", () => {
  it("documents every detail-type the publisher sends", () => {
    // Assess
    for (const [type, detailType] of Object.entries(detailTypes)) {
      expect(doc).toContain(`| \`${detailType}\` | \`${type}\` |`);
    }
  });

  it("shows example details that parse as events of the current schema version", () => {
    // Prepare
    const details = jsonBlocks
      .map((block) => (block && typeof block === "object" && "detail" in block ? block.detail : block))
      .filter(
        (d): d is { schemaVersion: unknown } => d !== null && typeof d === "object" && "schemaVersion" in d,
      );

    // Act: parse each example, and send it as the publisher would.
    const parsed = details.map((d) => ({ version: d.schemaVersion, event: domainEventSchema.safeParse(d) }));
    const sent = parsed.map((p) =>
      p.event.success ? JSON.parse(toEntry(p.event.data, "bus").Detail ?? "") : {},
    );

    // Assess: valid, current version, and no field the schema would drop.
    expect(parsed.map((p) => p.event.success)).toEqual([true, true, true]);
    expect(parsed.every((p) => p.version === eventSchemaVersion)).toBe(true);
    expect(sent).toEqual(details);
  });

  it("shows the envelope the publisher actually sends", () => {
    // Prepare
    const envelope = jsonBlocks.find(
      (b): b is Record<string, unknown> => b !== null && typeof b === "object" && "detail-type" in b,
    );
    const detail = domainEventSchema.parse(envelope?.detail);

    // Act
    const entry = toEntry(detail, "idp-failover");

    // Assess
    expect(entry.Source).toBe(envelope?.source);
    expect(entry.DetailType).toBe(envelope?.["detail-type"]);
    expect(JSON.parse(entry.Detail ?? "")).toEqual(envelope?.detail);
  });
});
