import * as z from "@idp-failover/core/zod-mini";
import type { WebClient } from "@slack/web-api";
import { errorText } from "./notification-sender.js";
import { slackErrorCode } from "./slack-client.js";

/*
 * Who may answer a failback request: the configured user ids, or members of the configured Slack
 * user groups (asked of Slack at click time, so a change to the group applies at once). With no
 * approvers configured nobody may: failback is a decision someone must be named for.
 */

export type ApproverDecision =
  | { kind: "approver" }
  | { kind: "not-approver" }
  /** Membership could not be checked (Slack down, missing scope): refuse, and say why. */
  | { kind: "unknown"; message: string };

export interface ApproverCheck {
  check(userId: string): Promise<ApproverDecision>;
}

export interface Approvers {
  users: readonly string[];
  userGroups: readonly string[];
}

const membersSchema = z.object({ users: z.array(z.string()) });

export class SlackApproverDirectory implements ApproverCheck {
  constructor(
    private readonly client: WebClient,
    private readonly approvers: Approvers,
  ) {}

  async check(userId: string): Promise<ApproverDecision> {
    if (this.approvers.users.includes(userId)) return { kind: "approver" };
    if (this.approvers.userGroups.length === 0) return { kind: "not-approver" };
    const answers = await Promise.allSettled(
      this.approvers.userGroups.map(async (usergroup) =>
        membersSchema.parse(await this.client.usergroups.users.list({ usergroup })),
      ),
    );
    if (answers.some((a) => a.status === "fulfilled" && a.value.users.includes(userId))) {
      return { kind: "approver" };
    }
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === "rejected");
    if (failed) {
      const code = slackErrorCode(failed.reason);
      return { kind: "unknown", message: code ? `Slack said ${code}` : errorText(failed.reason) };
    }
    return { kind: "not-approver" };
  }
}

/** How approvers are named in a refusal: mentions of users and user groups. */
export function approversText(approvers: Approvers): string {
  const names = [
    ...approvers.users.map((u) => `<@${u}>`),
    ...approvers.userGroups.map((g) => `<!subteam^${g}>`),
  ];
  return names.length > 0 ? names.join(", ") : "nobody (no approvers are configured)";
}
