// 03:00 UTC nightly: one report job per active tenant.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateScan } from "@aws-sdk/lib-dynamodb";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const TENANTS_TABLE = process.env.TENANTS_TABLE;
const QUEUE_URL = process.env.REPORT_JOBS_QUEUE_URL;
const TIMEZONE = process.env.REPORT_TIMEZONE ?? "UTC";

function reportDate(now = new Date()) {
  // The report covers "yesterday" in the business's own timezone.
  const yesterday = new Date(now.getTime() - 24 * 3600 * 1000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE }).format(yesterday); // YYYY-MM-DD
}

export const handler = async () => {
  const date = reportDate();
  let batch = [];
  let queued = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: batch }));
    if (out.Failed?.length) {
      throw new Error(`could not queue ${out.Failed.length} report jobs`);
    }
    queued += batch.length;
    batch = [];
  };

  const pages = paginateScan(
    { client: db },
    {
      TableName: TENANTS_TABLE,
      FilterExpression: "#s = :active",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":active": "ACTIVE" },
      ProjectionExpression: "tenant_id",
    },
  );
  for await (const page of pages) {
    for (const { tenant_id } of page.Items ?? []) {
      batch.push({ Id: String(batch.length), MessageBody: JSON.stringify({ tenant_id, date }) });
      if (batch.length === 10) await flush();
    }
  }
  await flush();
  console.log(JSON.stringify({ msg: "report jobs queued", date, queued }));
  return { date, queued };
};
