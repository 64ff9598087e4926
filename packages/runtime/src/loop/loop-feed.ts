import { type Clock, type Redactor, shapesOnlyRedactor } from "@idp-failover/core";

/*
 * What the control loop tells people: one entry per thing that happened (a region's verdict moved,
 * the global verdict moved, a transition, a DNS change, a message sent, an approval...). The terminal
 * timeline prints entries as they come; the dashboard shows the recent ones and refreshes its view on
 * every `changed()` (a probe round lands, a state is written) even when nothing is worth a line.
 */

export type FeedKind =
  | "phase"
  | "region"
  | "verdict"
  | "state"
  | "dns"
  | "message"
  | "approval"
  | "command"
  | "alert"
  | "problem"
  | "note"
  | "check";

/** How the entry reads at a glance: colours in the terminal and the dashboard. */
export type FeedTone = "info" | "good" | "warn" | "bad";

export interface FeedEntry {
  seq: number;
  /** Epoch ms on the loop's clock (virtual in a drill). */
  at: number;
  kind: FeedKind;
  tone: FeedTone;
  site?: string;
  text: string;
}

export type FeedInput = Omit<FeedEntry, "seq" | "at"> & { at?: number };

const kept = 500;

export class LoopFeed {
  private seq = 0;
  private readonly entries: FeedEntry[] = [];
  private readonly entryListeners = new Set<(entry: FeedEntry) => void>();
  private readonly changeListeners = new Set<() => void>();

  private redactor: Redactor = shapesOnlyRedactor;

  constructor(private readonly clock: Clock) {}

  /**
   * From now on every entry loses the secrets this redactor knows before anyone sees it (the
   * terminal, the dashboard): the control loop sets it once it knows the config's secrets.
   */
  redactWith(redactor: Redactor): void {
    this.redactor = redactor;
  }

  emit(input: FeedInput): FeedEntry {
    this.seq += 1;
    const entry: FeedEntry = {
      ...this.redactor.value(input),
      seq: this.seq,
      at: input.at ?? this.clock.now(),
    };
    this.entries.push(entry);
    if (this.entries.length > kept) this.entries.splice(0, this.entries.length - kept);
    for (const listener of this.entryListeners) listener(entry);
    this.changed();
    return entry;
  }

  /** Something the dashboard shows has changed (a round landed, a state was written). */
  changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  onEntry(listener: (entry: FeedEntry) => void): () => void {
    this.entryListeners.add(listener);
    return () => this.entryListeners.delete(listener);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** The last `limit` entries, oldest first. */
  recent(limit = 200): FeedEntry[] {
    return this.entries.slice(-limit);
  }

  all(): readonly FeedEntry[] {
    return this.entries;
  }
}
