import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** A probe region's data-plane table as stacks/probes.ts declares it (keys `PK`, `SK`; on demand). */
export async function createDataPlaneTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "PK", AttributeType: "S" },
        { AttributeName: "SK", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "SK", KeyType: "RANGE" },
      ],
    }),
  );
}
