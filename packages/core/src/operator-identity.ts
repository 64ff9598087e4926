import type { AuditRecord, OperatorIdentity } from "./effects.js";
import type { Store } from "./ports.js";
import * as z from "./zod-mini.js";

/*
 * Who gave an operator command. Against a real deployment the identity is the one AWS vouches for:
 * the ARN STS `GetCallerIdentity` returns for the caller's credentials, which is the audit record's
 * actor (`operator:arn:aws:sts::123456789012:assumed-role/Oncall/alice`). A name the operator types
 * (`--operator`, IDPCTL_OPERATOR) is only a display name kept beside it, never the identity. A local
 * runtime with no AWS behind it (the drill, `idpctl run` on its own store, its dashboard) has nobody
 * to vouch: its actor is `local:{name}` and its identity says `verifiedBy: "none"`.
 */

export const displayNameSchema = z
  .string()
  .check(
    z.regex(/^[\p{L}\p{N} .@+'_-]{1,64}$/u, { error: "letters, digits, spaces and . @ + ' _ -, up to 64" }),
  );

/** The operator an audit record names: the actor string, the identity behind it, the name they gave. */
export interface Operator {
  actor: string;
  identity: OperatorIdentity;
  displayName?: string;
}

export function verifiedOperator(
  caller: { arn: string; account: string; userId: string },
  displayName?: string,
): Operator {
  return {
    actor: `operator:${caller.arn}`,
    identity: { verifiedBy: "sts", ...caller },
    ...(displayName ? { displayName } : {}),
  };
}

export function localOperator(localUser: string, displayName?: string): Operator {
  return {
    actor: `local:${localUser}`,
    identity: { verifiedBy: "none", localUser },
    ...(displayName && displayName !== localUser ? { displayName } : {}),
  };
}

/**
 * The person in an STS or IAM ARN, for chat messages, where the account id is noise:
 * `arn:aws:sts::123456789012:assumed-role/Oncall/alice` -> `alice (Oncall)`, `...:user/ops/bob` ->
 * `bob`, `...:root` -> `root`. Anything else is returned as it is (the audit trail keeps the whole ARN).
 */
export function principalName(arn: string): string {
  const resource = /^arn:aws[\w-]*:(?:sts|iam)::\d{12}:(.+)$/.exec(arn)?.[1];
  if (!resource) return arn;
  const [type, ...rest] = resource.split("/");
  if (type === "assumed-role" && rest.length >= 2) return `${rest.slice(1).join("/")} (${rest[0]})`;
  if ((type === "user" || type === "federated-user") && rest.length > 0)
    return rest[rest.length - 1] ?? resource;
  return resource;
}

/** How an audit record's actor reads to a person: the display name beside the identity, marked when unverified. */
export function describeActor(record: Pick<AuditRecord, "actor" | "identity" | "displayName">): string {
  const name = record.displayName ? ` (${record.displayName})` : "";
  const unverified = record.identity?.verifiedBy === "none" ? " [unverified]" : "";
  return `${record.actor}${name}${unverified}`;
}

/**
 * The store an operator's command runs on: the audit records written in this operator's name carry
 * the identity and display name (records of other actors, like the evaluator's, pass as they are).
 */
export function storeAuditedAs<S extends Store>(store: S, operator: Operator): S {
  const annotate = (record: AuditRecord): AuditRecord =>
    record.actor === operator.actor
      ? {
          ...record,
          identity: operator.identity,
          ...(operator.displayName ? { displayName: operator.displayName } : {}),
        }
      : record;
  return new Proxy(store, {
    get(target, property) {
      if (property === "appendAudit")
        return (records: readonly AuditRecord[]) => target.appendAudit(records.map(annotate));
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
