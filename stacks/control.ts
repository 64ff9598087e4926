import { functionSizing } from "@idp-failover/core";
import { sizedFunction } from "./defaults";
import { homeBusPermission, homeTablePermission, route53Permissions } from "./iam";
import { secretsFor } from "./secrets";
import { type SiteConfig, secretRefs } from "./site-config";
import type { Storage } from "./storage";

/*
 * The control plane in the home region: the evaluator (one-minute schedule as the safety net, and
 * the probes' "verdicts changed" events on the bus), the notify function (one-minute schedule, and
 * the evaluator's domain events so alerts go out at once), and three alarms on an SNS topic:
 * "no probe results for 3 minutes", "evaluator errors" and "notifications abandoned" (a delivery
 * given up on: nobody else would hear of it).
 */
export function control(site: SiteConfig, storage: Storage) {
  const { config } = site;
  const sizing = functionSizing(config);
  const refs = secretRefs(config);

  const evaluate = sizedFunction("Evaluate", sizing.evaluate, {
    handler: "functions/src/evaluate.handler",
    description: "idp-failover evaluator: verdicts, the failover state machine, Route 53 weights",
    link: [storage.link],
    permissions: [homeTablePermission(storage), homeBusPermission(storage), ...route53Permissions(config)],
  });
  new sst.aws.CronV2("EvaluateSchedule", { schedule: "rate(1 minute)", function: evaluate.arn });
  subscribe("EvaluateOnProbe", storage, evaluate, { source: ["idp-failover.probe"] });

  const notify = sizedFunction("Notify", sizing.notify, {
    handler: "functions/src/notify.handler",
    description: "idp-failover notifications: Slack, signed webhooks, PagerDuty and Teams from the outbox",
    // One delivery run at a time: each domain event invokes it, and two runs at once would both take
    // the same due deliveries and post every Slack message twice. Throttled events are retried.
    concurrency: { reserved: sizing.notify.reservedConcurrency ?? 1 },
    link: [storage.link, ...secretsFor([...refs.slackBots, ...refs.webhooks, ...refs.vendorChannels])],
    permissions: [homeTablePermission(storage)],
  });
  new sst.aws.CronV2("NotifySchedule", { schedule: "rate(1 minute)", function: notify.arn });
  subscribe("NotifyOnEvent", storage, notify, { source: ["idp-failover"] });

  const alarms = new aws.sns.Topic("Alarms");
  const alarm = (
    name: string,
    args: Omit<aws.cloudwatch.MetricAlarmArgs, "period" | "alarmActions" | "okActions">,
  ) =>
    new aws.cloudwatch.MetricAlarm(name, {
      period: 60,
      alarmActions: [alarms.arn],
      okActions: [alarms.arn],
      ...args,
    });
  alarm("NoProbeResults", {
    alarmDescription:
      "No probe results from a probe region for 3 minutes (or the evaluator stopped reporting)",
    namespace: "IdpFailover",
    metricName: "ProbeResultAgeSeconds",
    dimensions: { service: "idp-failover" },
    statistic: "Maximum",
    evaluationPeriods: 1,
    threshold: 180,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "breaching",
  });
  alarm("EvaluatorErrors", {
    alarmDescription: "The evaluator failed for a site two minutes in a row",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: evaluate.name },
    statistic: "Sum",
    evaluationPeriods: 2,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  });
  alarm("NotificationsAbandoned", {
    alarmDescription:
      "A notification was given up on (a refused address, refused by the vendor, or out of attempts): see the notify function's 'delivery abandoned' log",
    namespace: "IdpFailover",
    metricName: "DeliveriesAbandoned",
    dimensions: { service: "idp-failover" },
    statistic: "Sum",
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  });
  return { evaluate, notify, alarms };
}

/** An EventBridge rule on the home bus invoking `fn` for events matching `pattern`. */
function subscribe(name: string, storage: Storage, fn: sst.aws.Function, pattern: Record<string, unknown>) {
  const rule = new aws.cloudwatch.EventRule(name, {
    eventBusName: storage.home.eventBusName,
    eventPattern: JSON.stringify(pattern),
  });
  new aws.cloudwatch.EventTarget(`${name}Target`, {
    eventBusName: storage.home.eventBusName,
    rule: rule.name,
    arn: fn.arn,
  });
  new aws.lambda.Permission(`${name}Permission`, {
    action: "lambda:InvokeFunction",
    function: fn.name,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
}
