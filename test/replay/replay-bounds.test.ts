import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildProgram, CliError } from "@idp-failover/cli";
import { type CapturedIo, capturedIo } from "@idp-failover/cli/testing";
import { replayLimits } from "@idp-failover/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectionOf } from "../support/rejection.js";

/*
 * `idpctl replay` on scenarios a user could write by mistake (a year of 9999, a generated list of
 * faults): refused at once with the limit and the scenario's value, before any simulation; and a
 * long replay shows its progress on standard error while standard output stays the timeline.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "replay-bounds-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const day = 86_400_000;
const start = Date.parse("2026-01-01T00:00:00Z");

/** A scenario of `days` days; the slowest cadence the policy allows keeps a month cheap to simulate. */
function scenario(days: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `${days} days`,
    start: new Date(start).toISOString(),
    end: new Date(start + days * day).toISOString(),
    providers: [
      { id: "okta", role: "primary" },
      { id: "entra", role: "secondary" },
    ],
    policy: { cadenceSeconds: 300, staleAfterSeconds: 1200 },
    faults: [
      {
        provider: "okta",
        from: new Date(start + 2 * day).toISOString(),
        to: new Date(start + 2 * day + 3_600_000).toISOString(),
        mode: "down",
      },
    ],
    ...overrides,
  };
}

async function replayCli(document: Record<string, unknown>): Promise<CapturedIo & { file: string }> {
  const file = join(dir, `${String(document.name).replaceAll(/\W+/g, "-")}.json`);
  await writeFile(file, JSON.stringify(document));
  const io = capturedIo();
  await buildProgram(io).parseAsync(["replay", "--scenario", file], { from: "user" });
  return Object.assign(io, { file });
}

/** The CLI error of a refused replay, with what it printed before refusing. */
async function refusal(document: Record<string, unknown>): Promise<{ error: CliError; io: CapturedIo }> {
  const file = join(dir, `${String(document.name).replaceAll(/\W+/g, "-")}.json`);
  await writeFile(file, JSON.stringify(document));
  const io = capturedIo();
  const error = await rejectionOf(
    buildProgram(io).parseAsync(["replay", "--scenario", file], { from: "user" }),
    CliError,
  );
  return { error, io };
}

describe("idpctl replay bounds", () => {
  it("refuses a scenario ending in the year 9999 before simulating anything", async () => {
    // Prepare
    const document = scenario(1, { name: "year 9999", end: "9999-12-31T00:00:00Z" });

    // Act
    const { error, io } = await refusal(document);

    // Assess: exit 2, the limit, the scenario's span and where; no timeline, no progress.
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/end/);
    expect(error.message).toMatch(/spans 2,912,\d{3} days/);
    expect(error.message).toContain(`at most ${replayLimits.maxSpanDays} days`);
    expect(io.stdout()).toBe("");
    expect(io.stderr()).not.toContain("replay: day");
  });

  it("refuses 10,001 faults with the limit and the count", async () => {
    // Prepare
    const fault = (scenario(1).faults as unknown[])[0];
    const document = scenario(3, { name: "generated faults", faults: new Array(10_001).fill(fault) });

    // Act
    const { error, io } = await refusal(document);

    // Assess
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("faults: 10,001 faults: a replay takes at most 10,000");
    expect(io.stdout()).toBe("");
  });

  it("refuses a period whose probe rounds would take hours, naming the cadence", async () => {
    // Prepare: 400 days at a 5 s cadence in 40 regions.
    const regions = Array.from({ length: 40 }, (_, i) => `region-${i}`);
    const document = scenario(400, {
      name: "many rounds",
      regions,
      policy: { cadenceSeconds: 5, quorum: 2 },
      faults: [],
    });

    // Act
    const { error } = await refusal(document);

    // Assess
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/policy\.cadenceSeconds/);
    expect(error.message).toContain("at most 50,000,000");
  });

  it("refuses a fault dated outside the period (a typo in its year) instead of never playing it", async () => {
    // Prepare
    const document = scenario(3, {
      name: "fault in 2062",
      faults: [{ provider: "okta", from: "2062-01-02T00:00:00Z", to: "2062-01-02T01:00:00Z", mode: "down" }],
    });

    // Act
    const { error } = await refusal(document);

    // Assess
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/faults\[0\]\.from|faults\.0\.from/);
    expect(error.message).toContain("outside the scenario's period");
  });

  it("refuses a scenario file over 16 MiB before reading it", async () => {
    // Prepare: valid JSON, padded past the limit.
    const file = join(dir, "huge.json");
    await writeFile(file, `${JSON.stringify(scenario(1))}${" ".repeat(replayLimits.maxFileBytes)}`);
    const io = capturedIo();

    // Act
    const error = await rejectionOf(
      buildProgram(io).parseAsync(["replay", "--scenario", file], { from: "user" }),
      CliError,
    );

    // Assess
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/huge\.json: 16\.0 MiB: a scenario file is at most 16\.0 MiB/);
  });

  it("shows a 31-day replay's progress on standard error and keeps standard output the timeline", async () => {
    // Act
    const io = await replayCli(scenario(31));

    // Assess
    const progress = io.stderr().match(/^replay: day \d+ of 31 \(\d+%\)$/gm) ?? [];
    expect(progress.length).toBeGreaterThanOrEqual(10);
    expect(progress.at(-1)).toBe("replay: day 31 of 31 (100%)");
    expect(io.stdout()).not.toContain("replay: day");
    expect(io.stdout()).toContain("failing-over");
  });

  it("prints no progress for a 29-day replay", async () => {
    // Act
    const io = await replayCli(scenario(29));

    // Assess
    expect(io.stderr()).not.toContain("replay: day");
    expect(io.stdout()).toContain("failing-over");
  });
});
