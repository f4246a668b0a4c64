// Consumes the stripe-events FIFO queue and records each event once.
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.WEBHOOK_EVENTS_TABLE;
const KEEP_DAYS = 90;

async function record(stripeEvent) {
  try {
    await db.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          event_id: stripeEvent.id,
          type: stripeEvent.type,
          customer: stripeEvent.data?.object?.customer ?? null,
          created: stripeEvent.created,
          payload: stripeEvent,
          expires_at: Math.floor(Date.now() / 1000) + KEEP_DAYS * 86400,
        },
        ConditionExpression: "attribute_not_exists(event_id)",
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // Already applied: a redelivery. Nothing to do.
  }
}

export const handler = async (event) => {
  const failures = [];
  for (const message of event.Records) {
    // In a FIFO batch, once one message fails the rest must be retried too,
    // or a later event for the same customer would be applied first.
    if (failures.length > 0) {
      failures.push({ itemIdentifier: message.messageId });
      continue;
    }
    try {
      await record(JSON.parse(message.body));
    } catch (err) {
      console.error(JSON.stringify({ msg: "apply failed", messageId: message.messageId, err: String(err) }));
      failures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures: failures };
};
