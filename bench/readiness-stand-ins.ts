/*
 * The Okta and Entra stand-ins of bench/readiness, in a process of their own so the bench measures
 * the readiness run's CPU and memory, not the servers'. Seeds them from the description given as the
 * first argument (JSON), then prints one line of JSON: the URLs and the test CA, and keeps serving
 * until its parent closes stdin.
 */
import {
  createTestCa,
  type DirectorySpec,
  seedDirectories,
  startEntraStandIn,
  startOktaStandIn,
} from "@idp-failover/stand-ins";

const spec = JSON.parse(process.argv[2] ?? "{}") as DirectorySpec;
const ca = await createTestCa({ commonName: "readiness bench CA" });
const directories = seedDirectories(spec);
// Rate limits are Okta's and Graph's business, not the CPU measured here: budgets out of reach.
const okta = await startOktaStandIn({ ca, directory: directories.okta, directoryRateLimit: 1_000_000_000 });
const entra = await startEntraStandIn({ ca, directory: directories.entra });
process.stdout.write(`${JSON.stringify({ okta: okta.url, entra: entra.url, ca: ca.certPem })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  void Promise.all([okta.close(), entra.close()]).then(() => process.exit(0));
});
