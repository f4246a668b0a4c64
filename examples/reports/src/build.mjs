// report-jobs consumer: build one tenant's usage report (batch_size 1).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { query, toCsv } from "./warehouse.mjs";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const s3 = new S3Client({});
const TENANTS_TABLE = process.env.TENANTS_TABLE;
const RUNS_TABLE = process.env.REPORT_RUNS_TABLE;
const BUCKET = process.env.EXPORTS_BUCKET;
const KEEP_RUNS_DAYS = 400;

export const handler = async (event) => {
  for (const message of event.Records) {
    const { tenant_id, date } = JSON.parse(message.body);
    const { Item: tenant } = await db.send(
      new GetCommand({ TableName: TENANTS_TABLE, Key: { tenant_id } }),
    );
    if (!tenant) {
      console.warn(JSON.stringify({ msg: "tenant vanished; skipping", tenant_id }));
      continue;
    }

    const rows = await query(
      "select product, sum(units) as units, sum(amount_cents) as amount_cents " +
        "from usage where tenant_id = $1 and usage_date = $2 group by product order by product",
      [tenant_id, date],
    );
    const key = `usage/${tenant_id}/${date}.csv`;
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: toCsv(rows), ContentType: "text/csv" }),
    );
    await db.send(
      new PutCommand({
        TableName: RUNS_TABLE,
        Item: {
          tenant_id,
          run_date: date,
          object_key: key,
          rows: rows.length,
          expires_at: Math.floor(Date.now() / 1000) + KEEP_RUNS_DAYS * 86400,
        },
      }),
    );
  }
};
