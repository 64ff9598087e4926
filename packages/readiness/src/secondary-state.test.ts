import { describe, expect, it } from "vitest";
import { SecondaryState } from "./secondary-state.js";

/* The kept Entra state: what a delta round changes, which account a key finds, what is stored. */

const user = (id: string, upn: string, enabled = true, mail: string | null = null) => ({
  id,
  removed: false as const,
  userPrincipalName: upn,
  mail,
  accountEnabled: enabled,
});

/** A group as a delta round reports it: its name (undefined when unchanged) and the members it gained and lost. */
const group = (
  id: string,
  displayName: string | undefined,
  membersAdded: string[],
  membersRemoved: string[] = [],
) => ({
  id,
  removed: false as const,
  displayName,
  membersAdded,
  membersRemoved,
});

describe("SecondaryState", () => {
  it("applies users and groups as delta rounds report them, members named before their users", () => {
    // Prepare
    const state = new SecondaryState("userPrincipalName", "2026-03-01T06:00:00.000Z");

    // Act: a group names u2 before u2 arrives; then u1 leaves the group and u2 is removed.
    state.applyGroup(group("g1", "Finance", ["u1", "u2"]));
    state.applyUser(user("u1", "Ana@Example.com"));
    state.applyUser(user("u2", "bo@example.com"));
    state.applyGroup(group("g1", undefined, [], ["u1"]));
    state.applyUser({ id: "u2", removed: true });

    // Assess
    expect(state.keyIndex().get("ana@example.com")).toBe(state.indexOf("u1"));
    expect(state.keyIndex().has("bo@example.com")).toBe(false);
    expect(state.groups.get("g1")).toEqual({ name: "Finance", members: new Set([state.indexOf("u2")]) });
  });

  it("finds the enabled account when a disabled one shares its key", () => {
    const state = new SecondaryState("userPrincipalName", "2026-03-01T06:00:00.000Z");
    state.applyUser(user("old", "ana@example.com", false));
    state.applyUser(user("new", "ana@example.com", true));

    expect(state.keyIndex().get("ana@example.com")).toBe(state.indexOf("new"));
  });

  it("reads back what it stored, without removed users, and refuses bytes it did not write", () => {
    const state = new SecondaryState("mail", "2026-03-01T06:00:00.000Z");
    state.applyUser(user("u1", "a@x.onmicrosoft.com", false, "A@x.com"));
    state.applyUser(user("u2", "b@x.onmicrosoft.com", true, "b@x.com"));
    state.applyUser({ id: "u3", removed: true });
    state.applyGroup(group("g", "G", ["u2", "u3"]));
    state.usersDeltaLink = "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=1";
    state.groupsDeltaLink = "https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=2";

    const back = SecondaryState.fromBytes(state.toBytes());

    expect(back?.ids).toEqual(["u1", "u2"]);
    expect(back?.keys).toEqual(["a@x.com", "b@x.com"]);
    expect(back?.enabled).toEqual([false, true]);
    expect(back?.groups.get("g")?.members).toEqual(new Set([1]));
    expect(back?.usersDeltaLink).toBe(state.usersDeltaLink);
    expect(SecondaryState.fromBytes(Buffer.from("not gzip"))).toBeUndefined();
  });
});
