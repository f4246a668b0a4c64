"""assets table stream: publish media-ready when an asset becomes READY."""

import json
import os

import boto3

SNS = boto3.client("sns")
TOPIC_ARN = os.environ["MEDIA_READY_TOPIC_ARN"]


def handler(event, context):
    failures = []
    for record in event["Records"]:
        if record["eventName"] not in ("INSERT", "MODIFY"):
            continue
        image = record["dynamodb"].get("NewImage", {})
        if image.get("status", {}).get("S") != "READY":
            continue
        try:
            SNS.publish(
                TopicArn=TOPIC_ARN,
                Message=json.dumps(
                    {
                        "asset_id": image["asset_id"]["S"],
                        "version": int(image["version"]["N"]),
                        "owner_id": image["owner_id"]["S"],
                    }
                ),
            )
        except Exception:
            # Stream batches retry from the first failed record.
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
            break
    return {"batchItemFailures": failures}
