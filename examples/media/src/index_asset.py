"""media-ready subscriber: write assets/<id>/manifest.json listing every
rendition, which the search indexer picks up."""

import json
import os

import boto3

S3 = boto3.client("s3")
LIBRARY = os.environ["LIBRARY_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        asset_id = message["asset_id"]
        prefix = f"assets/{asset_id}/"

        renditions = []
        paginator = S3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=LIBRARY, Prefix=prefix):
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith("manifest.json"):
                    renditions.append({"key": obj["Key"], "bytes": obj["Size"]})

        original = next((r for r in renditions if "/original/" in r["key"]), None)
        if original:
            head = S3.head_object(Bucket=LIBRARY, Key=original["key"])
            original["content_type"] = head.get("ContentType")

        S3.put_object(
            Bucket=LIBRARY,
            Key=prefix + "manifest.json",
            Body=json.dumps({**message, "renditions": renditions}, indent=2).encode(),
            ContentType="application/json",
        )
