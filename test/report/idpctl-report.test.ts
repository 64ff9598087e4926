import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoStore } from "@idp-failover/aws";
import { buildProgram, CliError } from "@idp-failover/cli";
import { type CapturedIo, capturedIo } from "@idp-failover/cli/testing";
import { formatTimeline, parseScenario, replay } from "@idp-failover/core";
import { slaReportSchema } from "@idp-failover/report";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runReport } from "../../packages/cli/src/commands/report.js";
import { minuteRollups, testIncident } from "../../packages/report/src/test-support.js";
import { type LocalDynamo, startDynalite, testCredentials } from "../aws/dynalite.js";
import { rejectionOf } from "../support/rejection.js";

/*
 * `idpctl report` against the DynamoDB store (dynalite), called as the binary calls it, and
 * `idpctl replay --report`, whose output without --report must stay as it was.
 */

let dynamo: LocalDynamo;
let dir: string;
let configFile: string;

const configInput = {
  regions: ["us-east-1", "us-west-2", "eu-west-1"],
  sites: [
    {
      id: "example",
      hostname: "login.example.com",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      tags: ["gold"],
      providers: [
        { id: "okta", kind: "okta", issuer: "https://example.okta.com", dnsTarget: "example.okta.com" },
        {
          id: "entra",
          kind: "entra",
          tenantId: "00000000-0000-4000-8000-000000000001",
          dnsTarget: "example.azurefd.net",
          probes: [
            { kind: "oidc-discovery" },
            {
              kind: "graph-health",
              tenantId: "00000000-0000-4000-8000-000000000001",
              clientId: "11111111-2222-4333-8444-555555555555",
              clientSecretRef: "ENTRA_REPORT_TEST_SECRET",
            },
          ],
        },
      ],
    },
  ],
};

beforeAll(async () => {
  dynamo = await startDynalite("idp-failover-report");
  dir = await mkdtemp(join(tmpdir(), "idpctl-report-"));
  configFile = join(dir, "config.json");
  await writeFile(configFile, JSON.stringify(configInput));
  vi.stubEnv("AWS_ACCESS_KEY_ID", testCredentials.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", testCredentials.secretAccessKey);
  vi.stubEnv("AWS_PROFILE", "");
  // Six hours of 10 November 2026 in the table: Okta down 10:00-11:30, as the incident says.
  const store = new DynamoStore({ tableName: dynamo.tableName, client: dynamo.client() });
  const from = Date.parse("2026-11-10T08:00:00Z");
  const to = Date.parse("2026-11-10T14:00:00Z");
  const down = (m: number) =>
    m >= Date.parse("2026-11-10T10:00:00Z") && m < Date.parse("2026-11-10T11:30:00Z");
  await store.putRollups(minuteRollups("example", "okta", from, to, (m) => (down(m) ? "down" : "up")));
  await store.putRollups(minuteRollups("example", "entra", from, to, () => "up"));
  await store.putIncident(testIncident({ id: "example-20261110-100017", site: "example" }));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function io(): CapturedIo {
  return capturedIo({
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      IDP_FAILOVER_TABLE: dynamo.tableName,
      AWS_REGION: "us-east-1",
    },
    now: () => Date.parse("2026-12-01T02:00:00Z"),
  });
}

const cliError = (work: Promise<unknown>) => rejectionOf(work, CliError);

describe("idpctl report", () => {
  it("reports last month from the DynamoDB store as JSON by default month", async () => {
    const out = io();
    await runReport({ config: configFile, site: "example", format: "json" }, out);
    const report = slaReportSchema.parse(JSON.parse(out.stdout()));
    expect(report.period.month).toBe("2026-11");
    const okta = report.sites[0]?.providers[0];
    expect(okta?.downtimeMinutes).toBe(90);
    expect(okta?.measuredMinutes).toBe(360);
    expect(okta?.availabilityPct).toBe(75);
    expect(report.sites[0]?.incidents[0]?.approvedBy).toBe("slack:U0123ABCDEF");
    // Microsoft's figure was asked for, and the report says why there is none.
    expect(report.sites[0]?.providers[1]?.vendorReported).toMatchObject({
      status: "not-available",
      reason: "secret ENTRA_REPORT_TEST_SECRET is not set",
    });
  });

  it("writes the report to --out whole, and says so on stderr", async () => {
    const out = io();
    const file = join(dir, "november.html");
    await runReport({ config: configFile, month: "2026-11", format: "html", out: file }, out);
    const html = await readFile(file, "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("login.example.com");
    expect(out.stdout()).toBe("");
    expect(out.stderr()).toContain(`to ${file}`);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("takes any period with --from and --to, and leaves Graph alone with --no-vendor", async () => {
    const out = io();
    await runReport(
      {
        config: configFile,
        from: "2026-11-10T09:00:00Z",
        to: "2026-11-10T13:00:00Z",
        format: "csv",
        vendor: false,
      },
      out,
    );
    const provider = out
      .stdout()
      .split("\r\n")
      .find((line) => line.startsWith("provider,example,okta,"));
    expect(provider?.split(",")[7]).toBe("62.5");
  });

  it("reads --from and --to without a zone as UTC, whatever the machine's time zone", async () => {
    // Prepare: a machine five hours behind UTC (Node applies a TZ set at run time).
    const machineZone = process.env.TZ;
    process.env.TZ = "America/New_York";
    const out = io();
    try {
      // Act
      await runReport(
        {
          config: configFile,
          from: "2026-11-10T09:00",
          to: "2026-11-10T13:00:00",
          format: "json",
          vendor: false,
        },
        out,
      );
    } finally {
      if (machineZone === undefined) Reflect.deleteProperty(process.env, "TZ");
      else process.env.TZ = machineZone;
    }
    // Assess
    const report = slaReportSchema.parse(JSON.parse(out.stdout()));
    expect([report.period.from, report.period.to]).toEqual(["2026-11-10T09:00:00Z", "2026-11-10T13:00:00Z"]);
    expect(report.sites[0]?.providers[0]?.availabilityPct).toBe(62.5);
  });

  it("refuses bad input with exit code 2 and a reason", async () => {
    expect((await cliError(runReport({ config: configFile, month: "2026-13" }, io()))).exitCode).toBe(2);
    expect((await cliError(runReport({ config: configFile, format: "pdf" }, io()))).message).toContain(
      "html, md, csv, json",
    );
    expect((await cliError(runReport({ config: configFile, site: "nope" }, io()))).message).toContain(
      'no site "nope"',
    );
    expect(
      (await cliError(runReport({ config: configFile, from: "2026-11-10T00:00:00Z" }, io()))).message,
    ).toContain("--from and --to go together");
    const unwritable = await cliError(
      runReport({ config: configFile, month: "2026-11", out: join(dir, "missing", "r.md") }, io()),
    );
    expect(unwritable.message).toContain("ENOENT");
  });

  it("reports the sites of a tag with their figures together, and refuses a tag no site has", async () => {
    // Act
    const out = io();
    await runReport(
      { config: configFile, tag: ["gold"], month: "2026-11", format: "json", vendor: false },
      out,
    );
    const unknown = await cliError(runReport({ config: configFile, tag: ["platinum"] }, io()));
    const both = await cliError(runReport({ config: configFile, tag: ["gold"], site: "example" }, io()));

    // Assess
    const report = slaReportSchema.parse(JSON.parse(out.stdout()));
    expect(report.sites.map((s) => s.site)).toEqual(["example"]);
    expect(report.group).toMatchObject({ tags: ["gold"], sites: 1, incidents: 1, measuredMinutes: 360 });
    expect([unknown.exitCode, unknown.message]).toEqual([2, "no site has the tag(s) platinum (tags: gold)"]);
    expect([both.exitCode, both.message]).toEqual([2, "use --site or --tag, not both"]);
  });

  it("fails with exit code 1 when the table cannot be read", async () => {
    const out = io();
    out.env.IDP_FAILOVER_TABLE = "no-such-table";
    expect((await cliError(runReport({ config: configFile, month: "2026-11" }, out))).exitCode).toBe(1);
  });
});

describe("idpctl replay --report", () => {
  const scenario = join(import.meta.dirname, "fixtures", "both-providers-down.json");

  async function replayCli(...args: string[]): Promise<string> {
    const out = capturedIo();
    await buildProgram(out).parseAsync(["replay", "--scenario", scenario, ...args], { from: "user" });
    return out.stdout();
  }

  it("prints the replay exactly as before without --report", async () => {
    const parsed = parseScenario(JSON.parse(await readFile(scenario, "utf8")));
    if (!parsed.ok) throw new Error("bad fixture");
    expect(await replayCli()).toBe(formatTimeline(await replay(parsed.scenario)));
  });

  it("prints what the period would have looked like as a report", async () => {
    const report = slaReportSchema.parse(JSON.parse(await replayCli("--report", "json")));
    expect(report.period.label).toBe("2026-11-03T00:00:00Z .. 2026-11-04T00:00:00Z");
    expect(report.sites[0]?.providers[0]?.downtimeMinutes).toBe(30);
  });

  it("writes the report to --out and still prints the timeline", async () => {
    const file = join(dir, "replay.md");
    const printed = await replayCli("--report", "md", "--out", file);
    expect(printed).toContain("Summary:");
    expect(await readFile(file, "utf8")).toContain("# Identity availability report");
  });

  it("refuses --out without --report, --json when the report would take standard output, and an unknown format", async () => {
    await expect(replayCli("--out", join(dir, "x.md"))).rejects.toThrow("--out goes with --report");
    await expect(replayCli("--report", "json", "--json")).rejects.toThrow("--json with --report needs --out");
    await expect(replayCli("--report", "pdf")).rejects.toThrow('--report "pdf": one of html, md, csv, json');
  });
});
