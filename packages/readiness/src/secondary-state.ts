import { gunzipSync, gzipSync } from "node:zlib";
import * as z from "@idp-failover/core/zod-mini";
import type { SecondaryGroupChange, SecondaryUserChange } from "./directory.js";

/*
 * What a readiness run keeps of the Entra tenant: per user its object id, match key and whether it
 * may sign in; per group its name and members (as user numbers); and the delta links that continue
 * from here. A full read builds it from the first delta round; the daily run loads yesterday's from
 * the table and applies only what Graph reports changed. That is all the comparison needs of the
 * secondary, and all that is stored: about 60 bytes a user, gzip-compressed.
 */

export type MatchAttribute = "userPrincipalName" | "mail";

export interface SecondaryGroup {
  name: string;
  members: Set<number>;
}

export class SecondaryState {
  readonly ids: string[] = [];
  /** Lower-cased match key ("" when the user has none). */
  readonly keys: string[] = [];
  readonly enabled: boolean[] = [];
  /** False for users removed, or seen only as a group member so far. */
  readonly alive: boolean[] = [];
  readonly groups = new Map<string, SecondaryGroup>();
  usersDeltaLink = "";
  groupsDeltaLink = "";
  private readonly indexById = new Map<string, number>();
  private keyIndexCache: Map<string, number> | undefined;

  constructor(
    readonly matchAttribute: MatchAttribute,
    /** When the last full read began (delta links expire after seven days; see run-readiness.ts). */
    readonly fullReadAt: string,
  ) {}

  get userCount(): number {
    return this.ids.length;
  }

  /** The number of a user id, allocated on first sight (a group may name a user before the user arrives). */
  indexOf(id: string): number {
    let index = this.indexById.get(id);
    if (index === undefined) {
      index = this.ids.push(id) - 1;
      this.keys.push("");
      this.enabled.push(false);
      this.alive.push(false);
      this.indexById.set(id, index);
    }
    return index;
  }

  applyUser(change: SecondaryUserChange): void {
    const index = this.indexOf(change.id);
    this.keyIndexCache = undefined;
    if (change.removed) {
      this.alive[index] = false;
      this.enabled[index] = false;
      return;
    }
    const key = this.matchAttribute === "mail" ? change.mail : change.userPrincipalName;
    this.keys[index] = key ? key.toLowerCase() : "";
    this.enabled[index] = change.accountEnabled;
    this.alive[index] = true;
  }

  applyGroup(change: SecondaryGroupChange): void {
    if (change.removed) {
      this.groups.delete(change.id);
      return;
    }
    let group = this.groups.get(change.id);
    if (!group) {
      group = { name: change.displayName ?? change.id, members: new Set() };
      this.groups.set(change.id, group);
    } else if (change.displayName !== undefined) group.name = change.displayName;
    for (const id of change.membersAdded) group.members.add(this.indexOf(id));
    for (const id of change.membersRemoved) {
      const index = this.indexById.get(id);
      if (index !== undefined) group.members.delete(index);
    }
  }

  /** A user who may sign in: present and enabled. */
  canSignIn(index: number): boolean {
    return this.alive[index] === true && this.enabled[index] === true;
  }

  /** Match key -> user number, for present users; an enabled account wins over a disabled namesake. */
  keyIndex(): Map<string, number> {
    if (this.keyIndexCache) return this.keyIndexCache;
    const index = new Map<string, number>();
    for (let i = 0; i < this.ids.length; i++) {
      const key = this.keys[i];
      if (!key || !this.alive[i]) continue;
      const existing = index.get(key);
      if (existing === undefined || (!this.enabled[existing] && this.enabled[i])) index.set(key, i);
    }
    this.keyIndexCache = index;
    return index;
  }

  /** The stored form: gzip of a compact JSON, without removed users. */
  toBytes(): Buffer {
    const renumber = new Map<number, number>();
    const users = { ids: [] as string[], keys: [] as string[], disabled: [] as number[] };
    for (let i = 0; i < this.ids.length; i++) {
      if (!this.alive[i]) continue;
      const n = users.ids.push(this.ids[i] ?? "") - 1;
      users.keys.push(this.keys[i] ?? "");
      if (!this.enabled[i]) users.disabled.push(n);
      renumber.set(i, n);
    }
    const groups = [...this.groups].map(([id, group]) => [
      id,
      group.name,
      [...group.members].flatMap((m) => {
        const n = renumber.get(m);
        return n === undefined ? [] : [n];
      }),
    ]);
    const stored: StoredSecondary = {
      v: 1,
      matchAttribute: this.matchAttribute,
      fullReadAt: this.fullReadAt,
      usersDeltaLink: this.usersDeltaLink,
      groupsDeltaLink: this.groupsDeltaLink,
      users,
      groups: groups as StoredSecondary["groups"],
    };
    return gzipSync(JSON.stringify(stored));
  }

  /** A stored state, or undefined when it does not read back (a full read then rebuilds it). */
  static fromBytes(bytes: Uint8Array): SecondaryState | undefined {
    let parsed: ReturnType<typeof storedSchema.safeParse>;
    try {
      parsed = storedSchema.safeParse(JSON.parse(gunzipSync(bytes).toString("utf8")));
    } catch {
      return undefined;
    }
    if (!parsed.success) return undefined;
    const stored = parsed.data;
    const state = new SecondaryState(stored.matchAttribute, stored.fullReadAt);
    state.usersDeltaLink = stored.usersDeltaLink;
    state.groupsDeltaLink = stored.groupsDeltaLink;
    const disabled = new Set(stored.users.disabled);
    stored.users.ids.forEach((id, n) => {
      const index = state.indexOf(id);
      state.keys[index] = stored.users.keys[n] ?? "";
      state.enabled[index] = !disabled.has(n);
      state.alive[index] = true;
    });
    for (const [id, name, members] of stored.groups)
      state.groups.set(id, { name, members: new Set(members) });
    return state;
  }
}

const storedSchema = z.object({
  v: z.literal(1),
  matchAttribute: z.enum(["userPrincipalName", "mail"]),
  fullReadAt: z.string(),
  usersDeltaLink: z.string(),
  groupsDeltaLink: z.string(),
  users: z.object({ ids: z.array(z.string()), keys: z.array(z.string()), disabled: z.array(z.number()) }),
  groups: z.array(z.tuple([z.string(), z.string(), z.array(z.number())])),
});
type StoredSecondary = z.infer<typeof storedSchema>;
