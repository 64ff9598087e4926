import * as z from "./zod-mini.js";

/*
 * A site's own settings over the deployment's (`sites[].policy`, `sites[].alerting`): a site writes
 * any part of a section, and its effective section is the deployment's with the site's values merged
 * over it, objects key by key, arrays and other values replaced. The override's schema is derived
 * from the section's own schema, so a field added to a section later can be overridden per site
 * without a change here, and is checked exactly as the section checks it.
 */

/** Any part of `T`: every key optional at every depth; arrays and other values stay whole. */
export type Override<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: Override<T[K]> | undefined }
    : T;

/**
 * The schema of an override of `schema`: each object (behind its defaults) strict, with every key
 * optional; each value checked as the section checks it, but with no default, since what a site
 * leaves out comes from the deployment, not from the schema's default. Objects at the dotted paths
 * in `whole` are replaced whole (their own fields' defaults apply), not merged: a list of people who
 * may approve is read in one place, never half from the site and half from the deployment.
 */
export function overrideSchema<S extends z.core.$ZodType>(
  schema: S,
  whole: readonly string[] = [],
): z.ZodMiniType<Override<z.output<S>>> {
  // Built from the schema's definition at run time; the type says what that construction yields.
  return derive(schema, whole, "") as unknown as z.ZodMiniType<Override<z.output<S>>>;
}

function derive(schema: z.core.$ZodType, whole: readonly string[], path: string): z.core.$ZodType {
  const inner = withoutDefaults(schema);
  const def = inner._zod.def;
  if (def.type !== "object" || whole.includes(path)) return inner;
  const shape = (def as z.core.$ZodObjectDef).shape;
  return z.strictObject(
    Object.fromEntries(
      Object.entries(shape).map(([key, value]) => [
        key,
        z.optional(derive(value, whole, path ? `${path}.${key}` : key)),
      ]),
    ),
  );
}

/** The schema behind its `default`, `prefault` and `optional` wrappers. */
function withoutDefaults(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType };
    if ((def.type === "default" || def.type === "prefault" || def.type === "optional") && def.innerType) {
      current = def.innerType;
    } else return current;
  }
}

/** `override` merged over `base`: plain objects key by key, anything else (arrays too) replaces. */
export function mergeOver<T>(base: T, override: NoInfer<Override<T>> | undefined): T {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    merged[key] = mergeOver(base[key], value as Override<unknown>);
  }
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether two parsed values are the same (plain data: objects, arrays, strings, numbers, booleans). */
export function sameSettings(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameSettings(item, b[i]))
    );
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = new Set(
    [...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined),
  );
  return [...keys].every((key) => sameSettings(a[key], b[key]));
}
