export * from "./aws-adapters.js";
export * from "./aws-errors.js";
export * from "./dynamo-message-refs.js";
export * from "./dynamo-notification-outbox.js";
export * from "./dynamo-store.js";
export * from "./eventbridge-publisher.js";
export * from "./route53-dns-weights.js";
export { BatchIncompleteError, StoredItemInvalidError } from "./single-table.js";
export * from "./table.js";
