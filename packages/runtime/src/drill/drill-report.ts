import { mkdir, mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Config, JournalStore } from "@idp-failover/core";
import { customPeriod, minuteMs, renderHtml, reportFromStore } from "@idp-failover/report";

/*
 * The drill's SLA report: the monthly report's model and HTML over the drill's minutes, read back
 * from the drill's store. Written to a temporary name and renamed, so the path printed is never a
 * half-written file.
 */

export interface DrillReportInput {
  store: Pick<JournalStore, "listRollups" | "listIncidents">;
  config: Config;
  /** The drill's start and end on its clock (epoch ms). */
  from: number;
  to: number;
  /** Where to write; a new temporary directory when absent. */
  dir?: string;
}

export async function writeDrillReport(input: DrillReportInput): Promise<string> {
  const from = Math.floor(input.from / minuteMs) * minuteMs;
  const to = Math.max(from + minuteMs, Math.ceil(input.to / minuteMs) * minuteMs);
  const report = await reportFromStore(input.store, input.config, customPeriod(from, to), { now: input.to });
  const dir = input.dir ? resolve(input.dir) : await mkdtemp(join(tmpdir(), "idp-failover-drill-"));
  await mkdir(dir, { recursive: true });
  const path = join(dir, "drill-sla-report.html");
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, renderHtml(report), "utf8");
  await rename(partial, path);
  return path;
}
