import { notificationSchema } from "@idp-failover/core";
import { describe, expect, it } from "vitest";
import { sampleNotification, sampleNotificationKinds } from "./webhook-samples.js";

describe("sample notifications (idpctl webhook test)", () => {
  it("has one for every kind the schema knows, each valid and dated when asked", () => {
    // Prepare
    const at = Date.parse("2026-03-02T09:00:00.000Z");
    const schemaKinds = notificationSchema._zod.def.options.map(
      (option) => option._zod.def.shape.kind._zod.def.values[0],
    );
    // Act
    const samples = sampleNotificationKinds.map((kind) => sampleNotification(kind, at));
    // Assess
    expect([...sampleNotificationKinds].sort()).toEqual([...schemaKinds].sort());
    for (const sample of samples) {
      expect(notificationSchema.safeParse(sample).success, sample.kind).toBe(true);
      expect(sample.at).toBe("2026-03-02T09:00:00.000Z");
    }
  });
});
