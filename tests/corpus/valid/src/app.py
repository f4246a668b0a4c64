"""Handler stub shared by the corpus specs in this directory."""

import json
import os


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"service": os.environ.get("SERVICE", "corpus")})}
