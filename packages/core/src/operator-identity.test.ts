import { describe, expect, it } from "vitest";
import { type AuditRecord, auditRecordSchema } from "./effects.js";
import { InMemoryStore } from "./in-memory.js";
import {
  describeActor,
  localOperator,
  principalName,
  storeAuditedAs,
  verifiedOperator,
} from "./operator-identity.js";

const arn = "arn:aws:sts::123456789012:assumed-role/Oncall/alice";
const alice = verifiedOperator({ arn, account: "123456789012", userId: "AROAEXAMPLE:alice" }, "Alice");

function record(actor: string): AuditRecord {
  return {
    site: "acme",
    at: "2026-03-01T12:00:00.000Z",
    seq: 1,
    actor,
    action: "freeze",
    reason: "maintenance",
  };
}

describe("operator identity", () => {
  it("makes the verified ARN the actor and keeps the display name beside it", () => {
    // Assess
    expect(alice).toEqual({
      actor: `operator:${arn}`,
      identity: { verifiedBy: "sts", arn, account: "123456789012", userId: "AROAEXAMPLE:alice" },
      displayName: "Alice",
    });
  });

  it("annotates only the records written in the operator's name", async () => {
    // Prepare
    const store = new InMemoryStore();
    const audited = storeAuditedAs(store, alice);

    // Act
    await audited.appendAudit([record(alice.actor), record("evaluator")]);

    // Assess
    const stored = await store.listAudit("acme", 0, Date.parse("2027-01-01T00:00:00Z"));
    const byActor = Object.fromEntries(stored.map((r) => [r.actor, r]));
    expect(byActor[alice.actor]).toMatchObject({
      identity: { verifiedBy: "sts", arn },
      displayName: "Alice",
    });
    expect(byActor.evaluator).toEqual(record("evaluator"));
  });

  it("still reads audit records written before identities were recorded", () => {
    // Act
    const parsed = auditRecordSchema.safeParse(record("operator:ana"));

    // Assess
    expect(parsed.success).toBe(true);
  });

  it("reads an actor for people: the display name beside it, a local one marked unverified", () => {
    // Act
    const verified = describeActor({ ...record(alice.actor), ...alice });
    const local = describeActor({ ...record("local:ana"), ...localOperator("ana") });

    // Assess
    expect(verified).toBe(`operator:${arn} (Alice)`);
    expect(local).toBe("local:ana [unverified]");
  });

  it.each([
    ["arn:aws:sts::123456789012:assumed-role/Oncall/alice@example.com", "alice@example.com (Oncall)"],
    ["arn:aws:iam::123456789012:user/ops/bob", "bob"],
    ["arn:aws-us-gov:sts::123456789012:federated-user/carol", "carol"],
    ["arn:aws:iam::123456789012:root", "root"],
    ["not-an-arn", "not-an-arn"],
  ])("names the person in %s for chat as %s", (arn, name) => {
    expect(principalName(arn)).toBe(name);
  });
});
