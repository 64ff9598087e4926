import { parseJsonBody, statusFailure } from "@idp-failover/http";
import { JsonPathError, readJsonPath } from "../json-path.js";
import type { ProbeCheck } from "../probe-context.js";
import { clip, ProbeFailure } from "../probe-failure.js";

/** Any URL: the expected status, then the body regex and the JSON path assertion if configured. */
export const checkHttp: ProbeCheck<"http"> = async (spec, context) => {
  const answer = await context.http.request(spec.url, { method: spec.method, signal: context.signal });
  if (!spec.expectStatus.includes(answer.status)) {
    const failure = statusFailure(answer, false);
    throw failure.errorClass === "content"
      ? new ProbeFailure("content", `HTTP ${answer.status}, expected ${spec.expectStatus.join(" or ")}`, {
          status: answer.status,
        })
      : failure;
  }
  if (spec.bodyRegex !== undefined && !bodyMatches(spec.bodyRegex, answer.body)) {
    throw new ProbeFailure("content", `body does not match /${clip(spec.bodyRegex, 60)}/`, {
      status: answer.status,
    });
  }
  if (spec.jsonPath !== undefined) {
    assertJsonPath(parseJsonBody(answer.body, spec.url), spec.jsonPath, spec.jsonEquals, answer.status);
  }
  return { latencyMs: answer.latencyMs, status: answer.status };
};

function bodyMatches(pattern: string, body: string): boolean {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    throw new ProbeFailure("content", `bodyRegex is not a valid regular expression`, {
      cause: error,
      retryable: false,
    });
  }
  return regex.test(body);
}

function assertJsonPath(
  json: unknown,
  path: string,
  expected: string | number | boolean | undefined,
  status: number,
): void {
  let read: ReturnType<typeof readJsonPath>;
  try {
    read = readJsonPath(json, path);
  } catch (error) {
    if (error instanceof JsonPathError)
      throw new ProbeFailure("content", error.message, { retryable: false });
    throw error;
  }
  if (!read.found || read.value === null) throw new ProbeFailure("content", `${path} is missing`, { status });
  if (expected !== undefined && read.value !== expected) {
    throw new ProbeFailure(
      "content",
      `${path} is ${clip(JSON.stringify(read.value) ?? "undefined", 60)}, expected ${JSON.stringify(expected)}`,
      { status },
    );
  }
}
