import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type OperatorIdentity, operatorIdentitySchema } from "@idp-failover/core";
import * as z from "@idp-failover/core/zod-mini";
import type { AwsAdapterSettings } from "./aws-adapters.js";

/*
 * Who the caller's AWS credentials belong to, from STS `GetCallerIdentity`: the identity an operator
 * command is recorded under. The call needs no IAM permission (AWS STS API reference: "No
 * permissions are required to perform this operation", and an explicit deny does not stop it), so
 * any credentials that can reach the deployment can answer it; an answer that does not come is a
 * command that does not run.
 */

export type CallerIdentityOutcome =
  | { kind: "verified"; identity: Extract<OperatorIdentity, { verifiedBy: "sts" }> }
  | { kind: "unverified"; message: string };

const answerSchema = z.object({ Arn: z.string(), Account: z.string(), UserId: z.string() });

export class StsCallerIdentity {
  private readonly client: STSClient;

  constructor(options: { client?: STSClient } = {}) {
    this.client = options.client ?? new STSClient({ maxAttempts: 3 });
  }

  async whoAmI(): Promise<CallerIdentityOutcome> {
    let answer: unknown;
    try {
      answer = await this.client.send(new GetCallerIdentityCommand({}));
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      const message = error instanceof Error ? error.message : String(error);
      return { kind: "unverified", message: `STS GetCallerIdentity failed: ${name}: ${message}` };
    }
    const fields = answerSchema.safeParse(answer);
    const identity = fields.success
      ? operatorIdentitySchema.safeParse({
          verifiedBy: "sts",
          arn: fields.data.Arn,
          account: fields.data.Account,
          userId: fields.data.UserId,
        })
      : fields;
    if (!identity.success || identity.data.verifiedBy !== "sts") {
      const problem = identity.success ? "not an STS identity" : z.prettifyError(identity.error);
      return {
        kind: "unverified",
        message: `STS GetCallerIdentity answered something unexpected: ${problem}`,
      };
    }
    return { kind: "verified", identity: identity.data };
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** An STS client for the same account, region, endpoint and credentials as the adapters' settings. */
export function createCallerIdentity(
  settings: Pick<AwsAdapterSettings, "region" | "endpoints" | "credentials" | "maxAttempts">,
): StsCallerIdentity {
  return new StsCallerIdentity({
    client: new STSClient({
      region: settings.region,
      maxAttempts: settings.maxAttempts ?? 3,
      ...(settings.endpoints?.sts ? { endpoint: settings.endpoints.sts } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    }),
  });
}
