"""Reacts to receipt uploads, placed orders and order changes.

One function with three event sources; dispatch on the record's source.
"""

import json
import os

import boto3

S3 = boto3.client("s3")
BUCKET = os.environ["RECEIPTS_BUCKET"]


def handler(event, context):
    for record in event.get("Records", []):
        source = record.get("eventSource") or record.get("EventSource")
        if source == "aws:s3":
            key = record["s3"]["object"]["key"]
            image = S3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            # Resizing goes here. Output lands outside uploads/, so writing it
            # does not trigger this function again.
            S3.put_object(
                Bucket=BUCKET,
                Key=key.replace("uploads/", "thumbnails/", 1),
                Body=image,
                ContentType="image/png",
            )
        elif source == "aws:sns":
            message = json.loads(record["Sns"]["Message"])
            print(json.dumps({"msg": "order placed", "order_id": message.get("order_id")}))
        elif source == "aws:dynamodb":
            keys = record["dynamodb"]["Keys"]
            print(json.dumps({"msg": "order changed", "event": record["eventName"], "keys": keys}))
