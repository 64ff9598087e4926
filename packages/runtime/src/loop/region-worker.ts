import {
  type Config,
  createTrackerMemory,
  type EvaluatorTrigger,
  type Evidence,
  type ProbeResult,
  type Store,
  shardLabel,
  summarizeRound,
} from "@idp-failover/core";
import { type ProbeRoundDeps, type ProbeRoundReport, probeRound } from "@idp-failover/orchestration";
import {
  createProbeMemory,
  inProcessProber,
  regionHealthCheck,
  type SecretSource,
} from "@idp-failover/probes";
import { type CompressedClock, sleepReal, wallClock } from "./compressed-clock.js";
import { regionChangeEntry } from "./feed-text.js";
import type { LoopFeed } from "./loop-feed.js";

/*
 * One probe region's worker: a round of every probe every `cadenceSeconds` on the loop's clock,
 * through the same use case as the probe Lambda (`probeRound`: probe each shard of the region's
 * sites, here all in this process, record, fold into this region's trackers, wake the evaluator when
 * a region verdict moved). Rounds are scheduled by the loop's clock, so a drill's compressed clock
 * compresses the cadence too; the probes themselves (network, timeouts) run in real time. A round that overruns its
 * slot is followed at once by the next; missed slots are skipped, not queued.
 */

export interface RegionWorkerOptions {
  region: string;
  /** The config the evaluator decides with. */
  config: Config;
  /** The config this region probes with (the drill points each region at its own network path). */
  probeConfig?: Config;
  store: Store;
  clock: CompressedClock;
  feed: LoopFeed;
  secrets: SecretSource;
  ca?: string;
  /** Offset of this region's rounds within the cadence (virtual ms): regions are not in lockstep. */
  phaseMs?: number;
  /** Woken when a round moved a region verdict (the loop's evaluation pass). */
  evaluator: EvaluatorTrigger;
}

/** The last round of one provider as this region saw it, for the dashboard's grid. */
export interface LastRound {
  at: number;
  ok: number;
  failed: number;
  /** The slowest answer of the round, ms. */
  latencyMs: number;
  evidence?: Evidence;
}

export class RegionWorker {
  readonly region: string;
  /** By `site provider`. */
  readonly lastRounds = new Map<string, LastRound>();
  private readonly roundDeps: ProbeRoundDeps;
  private rounds = 0;
  private lastProblem = "";

  constructor(private readonly options: RegionWorkerOptions) {
    this.region = options.region;
    const memory = createProbeMemory();
    const { config, region } = options;
    this.roundDeps = {
      config,
      region,
      prober: inProcessProber(options.probeConfig ?? config, {
        region,
        secrets: options.secrets,
        ...(options.ca ? { ca: options.ca } : {}),
        memory,
        // Token lifetimes and certificate expiry are checked against the real world's time.
        now: wallClock.now,
      }),
      regionHealth: regionHealthCheck(options.probeConfig ?? config, {
        region,
        ...(options.ca ? { ca: options.ca } : {}),
        now: wallClock.now,
      }),
      store: options.store,
      // Trackers last folded and written, as the warm probe Lambda keeps them.
      trackers: createTrackerMemory(),
      evaluator: options.evaluator,
      clock: options.clock,
    };
  }

  get roundsRun(): number {
    return this.rounds;
  }

  /** Runs rounds until `signal` aborts; a round in flight then finishes and is recorded. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, config } = this.options;
    const cadenceMs = config.policy.cadenceSeconds * 1000;
    let next = clock.now() + (this.options.phaseMs ?? 0);
    while (!signal.aborted) {
      await clock.sleepUntil(next, signal);
      if (signal.aborted) break;
      const at = next;
      await this.round(at);
      next = at + cadenceMs;
      const now = clock.now();
      if (next < now) next += Math.ceil((now - next) / cadenceMs) * cadenceMs;
      // Never spin: even a hopelessly late worker yields to the event loop between rounds.
      await sleepReal(0);
    }
  }

  /** One round at virtual time `at`: probe, record, report what moved. */
  async round(at: number): Promise<ProbeRoundReport | undefined> {
    const { feed, region } = this.options;
    try {
      const report = await probeRound(this.roundDeps, at);
      this.rounds += 1;
      this.remember(report.results, at);
      for (const change of report.changes) {
        const results = report.results.filter(
          (r) => r.site === change.site && r.provider === change.provider,
        );
        feed.emit(regionChangeEntry(change, summarizeRound(at, results).evidence[0]));
      }
      const silent = report.shards.find((s) => s.kind === "silent");
      if (silent)
        this.problem(`${region}: ${shardLabel(silent.shard)} not probed: ${messageOf(silent.error)}`);
      else this.lastProblem = "";
      feed.changed();
      return report;
    } catch (error) {
      this.problem(`${region}: probe round not recorded: ${messageOf(error)}`);
      return undefined;
    }
  }

  /** Once while it lasts: a store that is down fails every round the same way. */
  private problem(text: string): void {
    if (text !== this.lastProblem) this.options.feed.emit({ kind: "problem", tone: "bad", text });
    this.lastProblem = text;
  }

  private remember(results: readonly ProbeResult[], at: number): void {
    const byProvider = new Map<string, ProbeResult[]>();
    for (const result of results) {
      const key = `${result.site} ${result.provider}`;
      byProvider.set(key, [...(byProvider.get(key) ?? []), result]);
    }
    for (const [key, list] of byProvider) {
      const failed = list.filter((r) => !r.ok);
      const evidence = summarizeRound(at, list).evidence[0];
      this.lastRounds.set(key, {
        at,
        ok: list.length - failed.length,
        failed: failed.length,
        latencyMs: Math.max(0, ...list.map((r) => r.latencyMs)),
        ...(evidence ? { evidence } : {}),
      });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
