export {
  type AddressClass,
  checkOutboundUrl,
  classifyAddress,
  classifyHost,
  type OutboundAllowance,
  type OutboundUrlCheck,
  redactUrl,
} from "@idp-failover/core";
export { AddressRefusedError, addressRefusalOf, guardedLookup, type ResolveAll } from "./address-policy.js";
export {
  type ClientAuthMethod,
  ClientCredentials,
  type ClientCredentialsOptions,
  type ClientCredentialsSettings,
  clientCredentialsRequest,
  type MintedToken,
  parseTokenAnswer,
  requestToken,
  type TokenAnswer,
  TokenRequestError,
  tokenAnswerSchema,
  tokenEndpointFailure,
} from "./client-credentials.js";
export {
  classOfCode,
  errorCodeOf,
  HttpRequestError,
  type HttpRequestErrorOptions,
  messageOf,
  networkFailure,
  parseJsonBody,
  requestFailure,
  statusFailure,
  whereOf,
} from "./http-failure.js";
export {
  type HttpAnswer,
  type HttpClient,
  type HttpRequest,
  NodeHttpClient,
  type NodeHttpClientOptions,
} from "./node-http-client.js";
