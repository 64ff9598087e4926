import { renderCsv } from "./render-csv.js";
import { renderHtml } from "./render-html.js";
import { renderMarkdown } from "./render-markdown.js";
import type { SlaReport } from "./report-schema.js";

export const reportFormats = ["html", "md", "csv", "json"] as const;
export type ReportFormat = (typeof reportFormats)[number];

export function isReportFormat(value: string): value is ReportFormat {
  return (reportFormats as readonly string[]).includes(value);
}

/** The report in one of its four forms. */
export function renderReport(report: SlaReport, format: ReportFormat): string {
  switch (format) {
    case "html":
      return renderHtml(report);
    case "md":
      return renderMarkdown(report);
    case "csv":
      return renderCsv(report);
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
  }
}
