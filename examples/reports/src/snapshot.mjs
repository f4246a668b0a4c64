// Hourly: revenue-to-date for the current month, one CSV per hour.
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { query, toCsv } from "./warehouse.mjs";

const s3 = new S3Client({});
const BUCKET = process.env.EXPORTS_BUCKET;

export const handler = async () => {
  const now = new Date();
  const month = now.toISOString().slice(0, 7); // YYYY-MM
  const hour = now.toISOString().slice(0, 13).replace("T", "-"); // YYYY-MM-DD-HH
  const key = `revenue/${month}/${hour}.csv`;

  // A retried invocation must not write the same hour twice.
  const existing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key, MaxKeys: 1 }));
  if ((existing.KeyCount ?? 0) > 0) {
    return { key, skipped: true };
  }

  const rows = await query(
    "select currency, sum(amount_cents) as amount_cents from invoices " +
      "where to_char(invoiced_at, 'YYYY-MM') = $1 group by currency order by currency",
    [month],
  );
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: toCsv(rows), ContentType: "text/csv" }),
  );
  return { key, currencies: rows.length };
};
