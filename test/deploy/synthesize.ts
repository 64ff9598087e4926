import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/*
 * Runs the real sst.config.ts offline and returns the resource graph it declares (SHARED TOOLCHAIN.md):
 * Pulumi mocks from SST's own platform copy record every resource and invoke (IAM policy documents
 * included), and a small fake of the SST CLI's RPC server on 127.0.0.1 answers the two calls
 * components make while declaring (`Provider.Aws.Bootstrap`, `Runtime.Build`). This leans on SST
 * internals: it is pinned to the sst version in package.json (4.17.1).
 */

export const repoRoot = resolve(import.meta.dirname, "../..");
const platform = join(repoRoot, ".sst", "platform");

/** `sst install` (offline flags) when the platform is missing: about a minute with npm. */
export function ensureSstPlatform(): void {
  if (existsSync(join(platform, "src", "components", "index.ts"))) return;
  execFileSync("npx", ["sst", "install", "--stage", "ci"], {
    cwd: repoRoot,
    stdio: "inherit",
    env: {
      ...process.env,
      // sst.config.ts's app() reads the site config; any valid one will do for installing the platform.
      IDP_FAILOVER_CONFIG: process.env.IDP_FAILOVER_CONFIG ?? "examples/okta-entra.yaml",
      SST_SKIP_DEPENDENCY_CHECK: "1",
      SST_TELEMETRY_DISABLED: "1",
      SST_NO_BUN: "1",
    },
  });
}

/** The secrets examples/okta-entra.yaml names (refs in PascalCase), set to test values. */
export const exampleSecrets = [
  "OktaProbeClientSecret",
  "OktaApiToken",
  "EntraProbeClientSecret",
  "SlackBotToken",
  "SlackSigningSecret",
  "WebhookPagerdutySecret",
  "VerdictPathSecret",
  "OktaReadinessToken",
  "EntraReadinessClientSecret",
];

export interface DeclaredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The region of the provider it was declared with (the home region when none). */
  region: string;
}

export interface PolicyStatement {
  effect?: string;
  actions?: string[];
  resources?: string[];
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

export interface Synthesis {
  resources: DeclaredResource[];
  /** Inline IAM policy statements per function component name (SST builds them with getPolicyDocument). */
  policies: Array<{ statements: PolicyStatement[] }>;
  builds: Array<Record<string, unknown>>;
  outputs: Record<string, unknown>;
  ofType(type: string): DeclaredResource[];
  named(name: string): DeclaredResource;
}

interface PulumiModule {
  runtime: {
    setMocks(mocks: unknown, project?: string, stack?: string, preview?: boolean): Promise<void> | void;
    disconnect(): Promise<void>;
  };
  output(value: unknown): { apply<T>(fn: (v: unknown) => T): unknown };
}

export async function synthesize(options: {
  configFile: string;
  secrets: readonly string[];
  stage?: string;
  homeRegion?: string;
}): Promise<Synthesis> {
  ensureSstPlatform();
  const work = mkdtempSync(join(tmpdir(), "idp-synth-"));
  const resources: DeclaredResource[] = [];
  const policies: Array<{ statements: PolicyStatement[] }> = [];
  const builds: Array<Record<string, unknown>> = [];
  const providerRegions = new Map<string, string>();
  const home = options.homeRegion ?? "us-east-1";
  const regionOf = (provider: string | undefined) => {
    if (!provider) return home;
    const urn = provider.split("::").slice(0, -1).join("::") || provider;
    for (const [key, region] of providerRegions) if (urn.includes(key)) return region;
    return home;
  };

  const rpc = await startFakeSstServer(work, builds);
  process.env.SST_SERVER = rpc.url;
  process.env.IDP_FAILOVER_CONFIG = options.configFile;
  for (const name of options.secrets) process.env[`SST_SECRET_${name}`] = `test-${name}`;

  const pulumi = (await import(
    pathToFileURL(join(platform, "node_modules", "@pulumi", "pulumi", "index.js")).href
  )) as PulumiModule;
  await pulumi.runtime.setMocks(
    {
      newResource(args: {
        type: string;
        name: string;
        inputs: Record<string, unknown>;
        provider?: string;
        id?: string;
      }) {
        if (args.type === "pulumi:providers:aws") {
          providerRegions.set(`::${args.name}`, String(args.inputs.region));
        }
        const region = regionOf(args.provider);
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, region });
        const arn = `arn:aws:mock:${region}:123456789012:${args.type.split(":")[1]}/${args.name}`;
        const state: Record<string, unknown> = {
          ...args.inputs,
          arn,
          name: args.inputs.name ?? `${args.name}-physical`,
        };
        if (args.type === "aws:lambda/functionUrl:FunctionUrl") {
          state.functionUrl = `https://${args.name.toLowerCase()}.lambda-url.${region}.on.aws/`;
        }
        if (args.type === "aws:sqs/queue:Queue") {
          state.url = `https://sqs.${region}.amazonaws.com/123456789012/${args.name}`;
        }
        return { id: `${args.name}-id`, state };
      },
      call(args: { token: string; inputs: Record<string, unknown>; provider?: string }) {
        switch (args.token) {
          case "aws:index/getRegion:getRegion": {
            const region = regionOf(args.provider);
            return { name: region, region, id: region };
          }
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "ci" };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
          case "aws:iam/getPolicyDocument:getPolicyDocument": {
            const statements = (args.inputs.statements ?? []) as PolicyStatement[];
            policies.push({ statements });
            return { json: JSON.stringify({ Version: "2012-10-17", Statement: statements }), statements };
          }
          default:
            return args.inputs;
        }
      },
    },
    "idp-failover",
    options.stage ?? "ci",
    false,
  );

  const globals = globalThis as Record<string, unknown>;
  const shim = (await import(pathToFileURL(join(platform, "src", "shim", "run.js")).href)) as Record<
    string,
    unknown
  >;
  for (const [key, value] of Object.entries(shim)) globals[key] = value;
  globals.$app = {
    name: "idp-failover",
    stage: options.stage ?? "ci",
    removal: "remove",
    protect: false,
    providers: { aws: { region: home } },
  };
  globals.$dev = false;
  globals.$cli = {
    command: "deploy",
    paths: { root: repoRoot, work, platform, home: work },
    state: { version: {} },
    home: "aws",
  };
  globals.sst = await import(pathToFileURL(join(platform, "src", "components", "index.ts")).href);
  globals.aws = await import(
    pathToFileURL(join(platform, "node_modules", "@pulumi", "aws", "index.js")).href
  );

  const config = (await import(pathToFileURL(join(repoRoot, "sst.config.ts")).href)) as {
    default: { run(): Promise<Record<string, unknown>> };
  };
  const declared = await config.default.run();
  const outputs = await new Promise<Record<string, unknown>>((done) => {
    pulumi.output(declared).apply((value) => {
      done(value as Record<string, unknown>);
      return value;
    });
  });
  // Resources declared inside applies register after the outputs resolve: Pulumi's disconnect waits
  // until its queue of registrations is empty, and is still empty after a turn.
  await pulumi.runtime.disconnect();
  await rpc.close();
  return {
    resources,
    policies,
    builds,
    outputs,
    ofType: (type) => resources.filter((r) => r.type === type),
    named: (name) => {
      const found = resources.find((r) => r.name === name);
      if (!found) throw new Error(`no resource named ${name}`);
      return found;
    },
  };
}

async function startFakeSstServer(
  work: string,
  builds: Array<Record<string, unknown>>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        method: string;
        params: unknown[];
      };
      const args = (body.params[0] ?? {}) as Record<string, unknown>;
      let result: unknown;
      if (body.method === "Provider.Aws.Bootstrap") {
        result = {
          asset: "sst-asset-mock",
          assetEcrRegistryId: "123456789012",
          assetEcrUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sst-asset",
          state: "sst-state-mock",
          appsyncHttp: "",
          appsyncRealtime: "",
        };
      } else if (body.method === "Runtime.Build") {
        builds.push(args);
        const out = join(work, "build", String(builds.length));
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, "index.mjs"), "export const handler = async () => ({});\n");
        result = { handler: "index.handler", out, errors: [], sourcemaps: [] };
      } else {
        res.end(JSON.stringify({ error: `rpc: can't find method ${body.method}` }));
        return;
      }
      res.end(JSON.stringify({ result }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** The example config's probe regions, with the component names the stacks give them. */
export const exampleRegions = [
  ["us-east-1", "UsEast1"],
  ["us-west-2", "UsWest2"],
  ["eu-west-1", "EuWest1"],
] as const;

/** A value derived from a secret (a function linked to secrets): Pulumi's mocks pass `{ <sig>, value }`, nested. */
export function unwrapSecret(value: unknown): unknown {
  return typeof value === "object" && value !== null && "value" in value ? unwrapSecret(value.value) : value;
}

/** The statements of a role's inline policies. */
export function statementsOf(synth: Synthesis, role: string): PolicyStatement[] {
  const policies = unwrapSecret(synth.named(role).inputs.inlinePolicies);
  if (!Array.isArray(policies)) return [];
  return (policies as Array<{ policy: string }>).flatMap(
    (p) => (JSON.parse(p.policy) as { Statement: PolicyStatement[] }).Statement,
  );
}
