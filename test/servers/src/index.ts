export * from "./dynamodb-fault-proxy.js";
export * from "./entra-stand-in.js";
export * from "./eventbridge-stand-in.js";
export type { FaultMode, ProbeSurface, StandInFault, StandInRequest } from "./idp-https-server.js";
export * from "./okta-stand-in.js";
export * from "./route53-stand-in.js";
export * from "./slack-stand-in.js";
export * from "./test-ca.js";
export * from "./webhook-receiver.js";
