"""Consume order-events and write a receipt for each order."""

import json
import os

import boto3

S3 = boto3.client("s3")
BUCKET = os.environ["RECEIPTS_BUCKET"]


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            message = json.loads(record["body"])
            order_id = message["order_id"]
            S3.put_object(
                Bucket=BUCKET,
                Key=f"receipts/{order_id}.json",
                Body=json.dumps({"order_id": order_id, "status": "RECEIVED"}).encode(),
                ContentType="application/json",
            )
        except Exception:  # report only this message as failed; SQS retries it
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
