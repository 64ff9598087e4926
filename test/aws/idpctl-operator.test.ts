import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AwsAdapters } from "@idp-failover/aws";
import { CliError } from "@idp-failover/cli";
import { type CapturedIo, capturedIo } from "@idp-failover/cli/testing";
import type { SiteSummary } from "@idp-failover/core";
import { initialSiteState } from "@idp-failover/core";
import { testConfig, testConfigInput, testTrackers } from "@idp-failover/core/testing";
import { StsStandIn } from "@idp-failover/stand-ins";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runFailback } from "../../packages/cli/src/commands/failback.js";
import { runFailover } from "../../packages/cli/src/commands/failover.js";
import { runFreeze, runResume, runUnfreeze } from "../../packages/cli/src/commands/freeze.js";
import { runHistory } from "../../packages/cli/src/commands/history.js";
import { runStatus, type SiteStatus } from "../../packages/cli/src/commands/status.js";
import { testCredentials } from "./dynalite.js";
import { type AwsWorld, busName, idpctlEnv, startAwsWorld, stubOperatorCredentials } from "./fixtures.js";

/*
 * The operator commands against the real adapters (dynalite, the Route 53 and EventBridge stand-ins),
 * called as `idpctl` calls them, and the binary itself for exit codes and AWS_ENDPOINT_URL_*.
 */

const sites = [
  "ops-status",
  "ops-failover",
  "ops-refuse",
  "ops-freeze",
  "ops-failback",
  "ops-history",
  "ops-bin",
  "ops-bus",
  "ops-outbox",
  "ops-rejected",
  "ops-nowait",
  "ops-resume",
  "ops-anonymous",
];
const config = testConfig({ sites });
let world: AwsWorld;
let sts: StsStandIn;
let adapters: AwsAdapters;

/** Who STS says the tests' credentials are (AKIDTEST), and a second operator's key for the binary. */
const alice = {
  arn: "arn:aws:sts::123456789012:assumed-role/Oncall/alice",
  account: "123456789012",
  userId: "AROA3XFRBF23EXAMPLE:alice",
};
const bob = {
  arn: "arn:aws:iam::123456789012:user/ops/bob",
  account: "123456789012",
  userId: "AIDAEXAMPLEBOB",
};
const aliceActor = `operator:${alice.arn}`;
let dir: string;
let configFile: string;

beforeAll(async () => {
  world = await startAwsWorld(config);
  sts = await StsStandIn.start({ identities: { [testCredentials.accessKeyId]: alice, AKIDBOB: bob } });
  adapters = world.adapters();
  dir = await mkdtemp(join(tmpdir(), "idpctl-"));
  configFile = join(dir, "config.json");
  const tags = { "ops-status": { tags: ["gold"] }, "ops-history": { tags: ["gold", "eu"] } };
  await writeFile(configFile, JSON.stringify(testConfigInput({ sites, siteSettings: tags })));
  stubOperatorCredentials();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await world?.close();
  await sts?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return { ...idpctlEnv(world), AWS_ENDPOINT_URL_STS: sts.url };
}

function io(): CapturedIo {
  return capturedIo({ env: env() });
}

async function health(site: string, down: { okta?: boolean; entra?: boolean }): Promise<void> {
  const now = Date.now();
  for (const tracker of testTrackers(site, now, down)) await adapters.store.saveTracker(tracker);
}

const common = { config: "", operator: "ana", waitSeconds: "5" };
const opts = <T extends object>(more: T) => ({ ...common, config: configFile, ...more });
const siteOf = (id: string) => config.sites.find((s) => s.id === id) ?? (undefined as never);

describe("idpctl operator commands", () => {
  it("status shows state, weights in Route 53, verdicts per region", async () => {
    // Prepare
    await health("ops-status", { okta: true });
    const out = io();

    // Act
    await runStatus(opts({ site: "ops-status" }), out);
    const json = io();
    await runStatus(opts({ site: "ops-status", json: true }), json);

    // Assess
    expect(out.stdout()).toContain("not evaluated yet");
    expect(out.stdout()).toContain("Route 53: okta 100, entra 0");
    expect(out.stdout()).toMatch(/okta\s+down\s+us-east-1 down, us-west-2 down, eu-west-1 down/);
    const [status] = JSON.parse(json.stdout()) as SiteStatus[];
    expect(status?.dns).toMatchObject({ weights: { okta: 100, entra: 0 } });
    expect(status?.verdicts.entra?.verdict).toBe("up");
  });

  it("status without --site shows every site in one line, the one in trouble first, then the config's order", async () => {
    // Prepare: ops-status's okta is down (the test above); the other sites have no verdicts yet
    // (impaired: no region has judged them); nothing is evaluated yet.
    const json = io();
    const text = io();

    // Act
    await runStatus(opts({ json: true }), json);
    await runStatus(opts({}), text);

    // Assess
    const summaries = JSON.parse(json.stdout()) as SiteSummary[];
    expect(summaries.map((s) => s.site)).toEqual(sites);
    expect(summaries[0]).toMatchObject({ site: "ops-status", level: 3, tags: ["gold"] });
    expect(summaries[0]?.troubles[0]?.text).toBe("okta serves and is down");
    expect(summaries[1]?.troubles.map((t) => [t.level, t.text])).toEqual([
      [2, "okta impaired"],
      [2, "entra impaired"],
      [1, "not evaluated yet"],
    ]);
    const lines = text.stdout().split("\n");
    expect(lines[0]).toMatch(/^NEEDS\s+SITE\s+STATE\s+SERVING\s+VERDICTS\s+INCIDENT\s+READINESS\s+WHY$/);
    expect(lines[1]).toMatch(
      /^now\s+ops-status\s+not evaluated\s+-\s+okta down, entra up\s+-\s+-\s+okta serves and is down/,
    );
    expect(text.stdout()).toContain("13 site(s): 1 need someone now, 12 soon, 0 worth a look, 0 fine");
  });

  it("status --tag shows the sites with every tag given, and names the tags there are when none has them", async () => {
    // Act
    const gold = io();
    await runStatus(opts({ tag: ["gold"], json: true }), gold);
    const both = io();
    await runStatus(opts({ tag: ["gold", "eu"] }), both);
    const none = await runStatus(opts({ tag: ["platinum"] }), io()).catch((error: unknown) => error);

    // Assess
    expect((JSON.parse(gold.stdout()) as SiteSummary[]).map((s) => s.site)).toEqual([
      "ops-status",
      "ops-history",
    ]);
    expect(both.stdout()).toContain("1 site(s) with tag gold and eu:");
    expect(none).toBeInstanceOf(CliError);
    expect((none as CliError).message).toBe("no site has the tag(s) platinum (tags: eu, gold)");
  });

  it("failover moves the weights, waits for INSYNC and records the operator in the audit trail", async () => {
    // Prepare
    await health("ops-failover", {});
    const out = io();

    // Act
    await runFailover(opts({ site: "ops-failover", to: "entra", reason: "Okta maintenance window" }), out);

    // Assess
    expect(out.stdout()).toContain("primary-active -> failing-over");
    expect(out.stdout()).toMatch(
      /INSYNC after \d+ s; ops-failover is secondary-active \(okta 0, entra 100\)/,
    );
    expect(await adapters.dns.read(siteOf("ops-failover"))).toEqual({ okta: 0, entra: 100 });
    const audit = await adapters.store.listAudit("ops-failover", 0, Date.now() + 1);
    expect(audit.find((a) => a.to === "failing-over")).toMatchObject({
      actor: aliceActor,
      identity: { verifiedBy: "sts", ...alice },
      displayName: "ana",
      reason: `manual failover by ${aliceActor}: Okta maintenance window`,
    });
  });

  it("failover --no-wait returns once Route 53 accepted the change, leaving the INSYNC to the evaluator", async () => {
    // Prepare
    await health("ops-nowait", {});
    const out = io();

    // Act
    await runFailover(opts({ site: "ops-nowait", to: "entra", reason: "drill", wait: false }), out);
    const stored = await adapters.store.loadState("ops-nowait");

    // Assess
    expect(out.stdout()).toMatch(/Route 53 change \w+ submitted \(okta 0, entra 100\)\n$/);
    expect(stored?.state).toMatchObject({ state: "failing-over", dns: { weights: { okta: 0, entra: 100 } } });
    expect(stored?.state.dns?.changeId).toBeDefined();
  });

  it("refuses a failover onto a provider that is down, says why, and audits the refusal", async () => {
    // Prepare
    await health("ops-refuse", { entra: true });
    const changes = world.route53.count("ChangeResourceRecordSets");

    // Act
    const refusal = await runFailover(opts({ site: "ops-refuse", to: "entra", reason: "drill" }), io()).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refusal).toMatchObject({ exitCode: 1, message: expect.stringMatching(/refused: entra is down/) });
    expect(world.route53.count("ChangeResourceRecordSets")).toBe(changes);
    const audit = await adapters.store.listAudit("ops-refuse", 0, Date.now() + 1);
    expect(audit[0]).toMatchObject({
      action: "refused:manual-failover",
      actor: aliceActor,
      displayName: "ana",
    });
  });

  it("answers bad input with exit code 2", async () => {
    // Act
    const failed = (work: Promise<void>) => work.then(() => undefined).catch((error: unknown) => error);
    const unknownProvider = await failed(
      runFailover(opts({ site: "ops-refuse", to: "auth0", reason: "x" }), io()),
    );
    const unknownSite = await failed(runStatus(opts({ site: "nope" }), io()));
    const badSince = await failed(runHistory(opts({ site: "ops-refuse", since: "last tuesday" }), io()));

    // Assess
    expect(unknownProvider).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/no provider "auth0"/),
    });
    expect(unknownSite).toBeInstanceOf(CliError);
    expect(unknownSite).toMatchObject({ exitCode: 2 });
    expect(badSince).toMatchObject({ exitCode: 2, message: expect.stringMatching(/--since/) });
  });

  it("answers AWS it cannot reach with exit code 1 and the cause in one line", async () => {
    // Prepare: a table endpoint where nothing listens.
    const out = { ...io(), env: { ...env(), AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" } };

    // Act
    const failure = await runStatus(opts({ site: "ops-status" }), out).catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ exitCode: 1, message: expect.stringMatching(/^AWS: .*ECONNREFUSED/) });
  });

  it("refuses to act for anyone AWS will not name, changing nothing and auditing nothing", async () => {
    // Prepare: STS refuses the caller's credentials.
    await health("ops-anonymous", {});
    sts.failNext("InvalidClientTokenId");

    // Act
    const refused = await runFreeze(opts({ site: "ops-anonymous", reason: "maintenance" }), io()).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refused).toBeInstanceOf(CliError);
    expect(refused).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        /^cannot tell who you are: STS GetCallerIdentity failed: InvalidClientTokenId/,
      ),
    });
    expect((await adapters.store.loadState("ops-anonymous"))?.state.state).not.toBe("frozen");
    expect(await adapters.store.listAudit("ops-anonymous", 0, Date.now() + 1)).toEqual([]);
  });

  it("freeze holds the site: a failover is refused until unfreeze", async () => {
    // Prepare
    await health("ops-freeze", {});
    await runFreeze(opts({ site: "ops-freeze", reason: "change freeze" }), io());

    // Act
    const whileFrozen = await runFailover(opts({ site: "ops-freeze", to: "entra", reason: "x" }), io()).catch(
      (error: unknown) => error,
    );
    const unfrozen = io();
    await runUnfreeze(opts({ site: "ops-freeze" }), unfrozen);

    // Assess
    expect(whileFrozen).toMatchObject({ exitCode: 1, message: expect.stringMatching(/frozen/) });
    expect(unfrozen.stdout()).toContain("frozen -> primary-active");
    const actions = (await adapters.store.listAudit("ops-freeze", 0, Date.now() + 1)).map(
      (a) => a.to ?? a.action,
    );
    expect(actions).toEqual(["primary-active", "refused:manual-failover", "frozen"]);
  });

  it("resume ends a flapping pause at once, audited; without a pause it is refused", async () => {
    // Prepare: the site paused itself after flapping.
    await health("ops-resume", {});
    const site = config.sites.find((s) => s.id === "ops-resume");
    if (!site) throw new Error("no site");
    const now = Date.now();
    const paused = {
      ...initialSiteState(site, now),
      version: 1,
      paused: {
        since: new Date(now).toISOString(),
        until: new Date(now + 3_600_000).toISOString(),
        changes: 4,
      },
    };
    expect(await adapters.store.saveState(paused, 0)).toEqual({ kind: "saved" });

    // Act
    const out = io();
    await runResume(opts({ site: "ops-resume", reason: "Okta confirmed the fix" }), out);
    const again = await runResume(opts({ site: "ops-resume", reason: "again" }), io()).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(out.stdout()).toContain("ops-resume: resume recorded");
    expect((await adapters.store.loadState("ops-resume"))?.state.paused).toBeUndefined();
    expect(again).toMatchObject({ exitCode: 1, message: expect.stringMatching(/not paused/) });
    const audit = await adapters.store.listAudit("ops-resume", 0, Date.now() + 1);
    expect(audit.map((a) => a.action)).toEqual(["refused:resume", "resume"]);
    expect(audit[1]).toMatchObject({
      actor: expect.stringMatching(/^operator:/),
      reason: expect.stringContaining("Okta confirmed the fix"),
    });
  });

  it("refuses an --event-bus that does not exist before changing anything (EventBridge would drop the events)", async () => {
    // Prepare
    await health("ops-bus", {});

    // Act
    const refused = await runFreeze(
      opts({ site: "ops-bus", reason: "hold", eventBus: "idp-failover-staging" }),
      io(),
    ).catch((error: unknown) => error);

    // Assess
    expect(refused).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/no event bus idp-failover-staging in us-east-1: pass .*--event-bus/),
    });
    expect(await adapters.store.loadState("ops-bus")).toBeUndefined();
  });

  it("says which effects of a command are left for the evaluator, and the next command carries them out", async () => {
    // Prepare: the bus refuses the first command's event.
    await health("ops-outbox", {});
    world.eventbridge.failNextEntries(1, "NotAuthorizedForSourceException", "not authorized for this source");
    const refusedEvent = io();
    await runFreeze(opts({ site: "ops-outbox", reason: "hold" }), refusedEvent);
    const published = () =>
      world.eventbridge
        .events(busName)
        .filter((e) => e.detail.site === "ops-outbox" && e.detail.to === "frozen");
    const before = published().length;

    // Act
    await runUnfreeze(opts({ site: "ops-outbox" }), io());

    // Assess
    expect(refusedEvent.stderr()).toMatch(/kept in the site's outbox .*NotAuthorizedForSourceException/);
    expect(before).toBe(0);
    expect(published()).toHaveLength(1);
  });

  it("reports a change Route 53 refused, and submits it again on the next failover once the zone is fixed", async () => {
    // Prepare
    await health("ops-rejected", {});
    world.route53.failNext("InvalidChangeBatch", { message: "RRSet of type CNAME is not permitted" });
    const refused = await runFailover(
      opts({ site: "ops-rejected", to: "entra", reason: "drill" }),
      io(),
    ).catch((error: unknown) => error);

    // Act
    const again = io();
    await runFailover(opts({ site: "ops-rejected", to: "entra", reason: "zone fixed" }), again);

    // Assess
    expect(refused).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/Route 53 refused the weight change .*InvalidChangeBatch/),
    });
    expect(again.stdout()).toMatch(
      /INSYNC after \d+ s; ops-rejected is secondary-active \(okta 0, entra 100\)/,
    );
    expect(await adapters.dns.read(siteOf("ops-rejected"))).toEqual({ okta: 0, entra: 100 });
  });

  it("failback starts the stepped return to the primary", async () => {
    // Prepare: failed over by hand, the primary healthy again.
    await health("ops-failback", {});
    await runFailover(opts({ site: "ops-failback", to: "entra", reason: "drill" }), io());
    const out = io();

    // Act
    await runFailback(opts({ site: "ops-failback", reason: "drill over" }), out);

    // Assess
    expect(out.stdout()).toContain("secondary-active -> failing-back");
    expect(out.stdout()).toContain("failback in 3 step(s)");
    expect(await adapters.dns.read(siteOf("ops-failback"))).toEqual({ okta: 10, entra: 90 });
  });

  it("history lists transitions and commands newest first, and as JSON", async () => {
    // Prepare
    await health("ops-history", {});
    await runFreeze(opts({ site: "ops-history", reason: "audit" }), io());
    await runUnfreeze(opts({ site: "ops-history", reason: "done" }), io());
    const text = io();
    const json = io();

    // Act
    await runHistory(opts({ site: "ops-history", since: "1h" }), text);
    await runHistory(opts({ site: "ops-history", json: true }), json);

    // Assess
    const lines = text.stdout().split("\n");
    expect(lines[1]).toContain(
      `${aliceActor} (ana)  frozen -> primary-active  unfrozen by ${aliceActor}: done`,
    );
    expect(lines[2]).toContain(
      `${aliceActor} (ana)  primary-active -> frozen  frozen by ${aliceActor}: audit`,
    );
    const parsed = JSON.parse(json.stdout()) as { audit: Array<{ to: string }> };
    expect(parsed.audit.map((a) => a.to)).toEqual(["primary-active", "frozen"]);
  });

  it("the idpctl binary finds AWS through AWS_ENDPOINT_URL_* and exits 1 on a refusal", async () => {
    // Prepare
    await health("ops-bin", { entra: true });
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["packages/cli/bin/idpctl.js", ...args], {
          env: { ...process.env, ...env(), AWS_ACCESS_KEY_ID: "AKIDBOB", AWS_SECRET_ACCESS_KEY: "test" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => {
          stdout += d;
        });
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });

    // Act
    const [status, refused] = await Promise.all([
      run(["status", "--config", configFile, "--site", "ops-bin"]),
      run([
        "failover",
        "--config",
        configFile,
        "--site",
        "ops-bin",
        "--to",
        "entra",
        "--reason",
        "x",
        "--operator",
        "bo",
      ]),
    ]);

    // Assess
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`ops-bin  login.ops-bin.example.com`);
    expect(status.stdout).toContain("Route 53: okta 100, entra 0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused: entra is down");
    const audit = await adapters.store.listAudit("ops-bin", 0, Date.now() + 1);
    expect(audit[0]).toMatchObject({
      action: "refused:manual-failover",
      actor: `operator:${bob.arn}`,
      identity: { verifiedBy: "sts", arn: bob.arn },
      displayName: "bo",
    });
  }, 30_000);
});
