import { createRedactor, type Redactor } from "@idp-failover/core/redaction";
import * as z from "@idp-failover/core/zod-mini";
import { Resource } from "sst";

/*
 * What a function has linked, and which of it is secret. Apart from deployment.ts (no config schema
 * here), so the verdict function's logger can redact without the config in its bundle.
 */

const linkedSecret = z.object({ value: z.string() });

/** SST's `Resource` as a plain record of whatever is linked, to be parsed (never trusted as typed). */
export function linkedResources(): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const key of Reflect.ownKeys(Resource)) {
    if (typeof key === "string") resources[key] = Reflect.get(Resource, key);
  }
  return resources;
}

/**
 * Every secret linked to a function, whatever its name: an `sst.Secret` is linked as `{ value }`
 * (the config's references, the VerdictPathSecret, any secret a stack adds later), so a redactor
 * built from these knows them all without a list to keep in step. In a Lambda every secret comes
 * through a link: these are all the secrets the function holds.
 */
export function linkedSecretValues(resources: Record<string, unknown>): string[] {
  return Object.values(resources).flatMap((resource) => {
    const linked = linkedSecret.safeParse(resource);
    return linked.success ? [linked.data.value] : [];
  });
}

let linkedRedactor: Redactor | undefined;

/** The redactor of this function's linked secrets, built on first use and kept (for the logger). */
export function functionRedactor(): Redactor {
  linkedRedactor ??= createRedactor(linkedSecretValues(linkedResources()));
  return linkedRedactor;
}
