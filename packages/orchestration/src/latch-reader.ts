import type { SiteState, StateStore } from "@idp-failover/core";

/*
 * The latch (`isLatchedOut`) comes from the site's state in the home table. It changes only on
 * failover and failback, so each probe region re-reads it at most every `maxAgeMs` instead of every
 * round. If the home region cannot be read, the last state read stands: the data plane keeps working
 * (and keeps its latch) while the control plane is impaired.
 */
export class LatchReader {
  private readonly cache = new Map<string, { readAt: number; state: SiteState | undefined }>();

  constructor(
    private readonly store: Pick<StateStore, "loadState">,
    private readonly maxAgeMs = 30_000,
    private readonly onError: (site: string, error: unknown) => void = () => undefined,
  ) {}

  async state(site: string, now: number): Promise<SiteState | undefined> {
    const cached = this.cache.get(site);
    if (cached && now - cached.readAt < this.maxAgeMs) return cached.state;
    try {
      const stored = await this.store.loadState(site);
      this.cache.set(site, { readAt: now, state: stored?.state });
      return stored?.state;
    } catch (error) {
      this.onError(site, error);
      return cached?.state;
    }
  }
}
