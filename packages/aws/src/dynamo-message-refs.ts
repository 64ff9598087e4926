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
    const item = await this.table.get({ PK: keys.site(site), SK: keys.messageRef(key) });
    return item ? parseItem(messageRefSchema, item.ref, `message ref ${key} of site ${site}`) : undefined;
  }

  async remember(site: string, key: string, ref: Record<string, string>): Promise<void> {
    await this.table.put({ PK: keys.site(site), SK: keys.messageRef(key), ref: { ...ref } });
  }
}
