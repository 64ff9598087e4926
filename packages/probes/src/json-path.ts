/*
 * The small JSON path subset an `http` probe's `jsonPath` accepts: `$`, `.name`, `['name']`, `["name"]`
 * and `[0]`, as in `$.status` or `$.items[0].state`. Enough for health endpoints; no filters.
 */

export type PathSegment = string | number;

export class JsonPathError extends Error {
  override name = "JsonPathError";
}

export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith("$")) throw new JsonPathError(`a JSON path starts with $: ${path}`);
  const segments: PathSegment[] = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let index = 1;
  while (index < path.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(path);
    if (!match) throw new JsonPathError(`cannot read JSON path ${path} at position ${index}`);
    const [, name, position, single, double] = match;
    segments.push(position !== undefined ? Number(position) : (name ?? single ?? double ?? ""));
    index = pattern.lastIndex;
  }
  return segments;
}

/** The value at a path, or `found: false` when a step is missing. */
export function readJsonPath(
  value: unknown,
  path: string,
): { found: true; value: unknown } | { found: false } {
  let current: unknown = value;
  for (const segment of parseJsonPath(path)) {
    if (typeof segment === "number") {
      if (!Array.isArray(current) || segment >= current.length) return { found: false };
      current = current[segment];
    } else {
      if (current === null || typeof current !== "object" || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, segment)) return { found: false };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}
