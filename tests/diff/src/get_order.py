"""GET /orders/{id}: return one order, or 404."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    order_id = event["pathParameters"]["id"]
    # The table's sort key is created_at, so look the order up by partition key.
    result = TABLE.query(
        KeyConditionExpression="id = :id",
        ExpressionAttributeValues={":id": order_id},
        Limit=1,
    )
    items = result.get("Items", [])
    if not items:
        return {"statusCode": 404, "body": json.dumps({"message": "order not found"})}
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(items[0], default=str),
    }
