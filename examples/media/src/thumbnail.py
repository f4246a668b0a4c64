"""Object-created in uploads/incoming/: render thumbnails, file everything in
the library bucket, record the asset, and clear the landing zone."""

import hashlib
import os
import time
import urllib.parse

import boto3
from boto3.dynamodb.conditions import Key

S3 = boto3.client("s3")
ASSETS = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
UPLOADS = os.environ["UPLOADS_BUCKET"]
LIBRARY = os.environ["LIBRARY_BUCKET"]
WIDTHS = [int(w) for w in os.environ.get("THUMBNAIL_WIDTHS", "160,640").split(",")]
QUALITY = int(os.environ.get("JPEG_QUALITY", "82"))


def render(data: bytes, width: int) -> bytes:
    import pyvips  # vendored x86_64 build; imported lazily to keep cold start small

    image = pyvips.Image.thumbnail_buffer(data, width)
    return image.write_to_buffer(f".jpg[Q={QUALITY},strip]")


def handler(event, context):
    for record in event["Records"]:
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        # incoming/<owner_id>/<file name>
        _, owner_id, filename = key.split("/", 2)
        data = S3.get_object(Bucket=UPLOADS, Key=key)["Body"].read()
        digest = hashlib.sha256(data).digest()

        existing = ASSETS.query(
            IndexName="by-checksum",
            KeyConditionExpression=Key("sha256").eq(digest),
            Limit=1,
        )["Items"]
        asset_id = existing[0]["asset_id"] if existing else hashlib.sha256(key.encode()).hexdigest()[:20]

        S3.put_object(Bucket=LIBRARY, Key=f"assets/{asset_id}/original/{filename}", Body=data)
        for width in WIDTHS:
            S3.put_object(
                Bucket=LIBRARY,
                Key=f"assets/{asset_id}/w{width}.jpg",
                Body=render(data, width),
                ContentType="image/jpeg",
            )

        ASSETS.put_item(
            Item={
                "asset_id": asset_id,
                "version": int(time.time()),
                "owner_id": owner_id,
                "uploaded_at": record["eventTime"],
                "sha256": digest,
                "status": "READY",
            }
        )
        S3.delete_object(Bucket=UPLOADS, Key=key)
