"""Weekly: scan assets for identical checksums and write a CSV report."""

import csv
import io
import os
from collections import defaultdict
from datetime import date

import boto3

ASSETS = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
S3 = boto3.client("s3")
LIBRARY = os.environ["LIBRARY_BUCKET"]


def handler(event, context):
    by_checksum = defaultdict(set)
    kwargs = {"ProjectionExpression": "asset_id, sha256"}
    while True:  # `scan` is granted explicitly for this job and nothing else
        page = ASSETS.scan(**kwargs)
        for item in page["Items"]:
            if "sha256" in item:
                by_checksum[bytes(item["sha256"])].add(item["asset_id"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sha256", "asset_ids"])
    duplicates = 0
    for digest, ids in sorted(by_checksum.items()):
        if len(ids) > 1:
            duplicates += 1
            writer.writerow([digest.hex(), " ".join(sorted(ids))])

    key = f"reports/duplicates/{date.today().isoformat()}.csv"
    S3.put_object(Bucket=LIBRARY, Key=key, Body=out.getvalue().encode(), ContentType="text/csv")
    return {"duplicate_groups": duplicates, "report": key}
