"""Nightly: summarise yesterday's orders into a CSV in the receipts bucket.

The function has `read` on orders (Query, not Scan), so it starts from the
day's receipt index (receipts/index/DAY.json) and looks each order up.
"""

import csv
import io
import json
import os
from datetime import date, timedelta

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
S3 = boto3.client("s3")
BUCKET = os.environ["RECEIPTS_BUCKET"]


def handler(event, context):
    day = (date.today() - timedelta(days=1)).isoformat()
    try:
        index = S3.get_object(Bucket=BUCKET, Key=f"receipts/index/{day}.json")
        order_ids = json.loads(index["Body"].read())
    except S3.exceptions.NoSuchKey:
        order_ids = []

    counts = {}
    for order_id in order_ids:
        result = TABLE.query(
            KeyConditionExpression="id = :id",
            ExpressionAttributeValues={":id": order_id},
        )
        for item in result.get("Items", []):
            counts[item["status"]] = counts.get(item["status"], 0) + 1

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["status", "count"])
    for status, count in sorted(counts.items()):
        writer.writerow([status, count])
    S3.put_object(Bucket=BUCKET, Key=f"reports/{day}.csv", Body=out.getvalue().encode())
    return {"day": day, "orders": len(order_ids)}
