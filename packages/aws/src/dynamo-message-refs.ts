import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type MessageRefs, messageRefSchema } from "@idp-failover/core";
import { parseItem, SingleTable, type SingleTableOptions } from "./single-table.js";
import { keys } from "./table.js";

/** Where a message was posted (`MSGREF#{key}` in the site's partition), so later notices update it. */
export class DynamoMessageRefs implements MessageRefs {
  private readonly table: SingleTable;

  constructor(options: SingleTableOptions) {
    this.table = new SingleTable(options);
  }

  async recall(site: string, key: string): Promise<Record<string, string> | undefined> {
    const out = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: { PK: keys.site(site), SK: keys.messageRef(key) },
        ConsistentRead: true,
      }),
    );
    return out.Item
      ? parseItem(messageRefSchema, out.Item.ref, `message ref ${key} of site ${site}`)
      : undefined;
  }

  async remember(site: string, key: string, ref: Record<string, string>): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { PK: keys.site(site), SK: keys.messageRef(key), ref: { ...ref } },
      }),
    );
  }
}
