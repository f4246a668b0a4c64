"""POST /orders: validate, open a Stripe PaymentIntent, store, enqueue."""

import json
import os
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
SQS = boto3.client("sqs")
QUEUE_URL = os.environ["ORDER_EVENTS_QUEUE_URL"]
# Only the secret's ARN is in the environment; the value is fetched at runtime.
STRIPE_KEY_ARN = os.environ["STRIPE_KEY_SECRET_ARN"]

_stripe_key = None


def stripe_key():
    global _stripe_key
    if _stripe_key is None:
        secrets = boto3.client("secretsmanager")
        _stripe_key = secrets.get_secret_value(SecretId=STRIPE_KEY_ARN)["SecretString"]
    return _stripe_key


def create_payment_intent(order_id, amount_cents, currency):
    body = urllib.parse.urlencode(
        {"amount": amount_cents, "currency": currency, "metadata[order_id]": order_id}
    ).encode()
    request = urllib.request.Request(
        "https://api.stripe.com/v1/payment_intents",
        data=body,
        headers={"Authorization": f"Bearer {stripe_key()}", "Idempotency-Key": order_id},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["id"]


def handler(event, context):
    try:
        body = json.loads(event.get("body") or "{}")
        items = body["items"]
        amount_cents = int(body["amount_cents"])
        currency = body.get("currency", "usd")
        customer_id = event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]
    except (KeyError, TypeError, ValueError):
        return {"statusCode": 400, "body": json.dumps({"message": "invalid order"})}

    order_id = str(uuid.uuid4())
    order = {
        "id": order_id,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "customer_id": customer_id,
        "items": items,
        "amount_cents": amount_cents,
        "currency": currency,
        "payment_intent": create_payment_intent(order_id, amount_cents, currency),
        "status": "PENDING",
    }
    TABLE.put_item(Item=order, ConditionExpression="attribute_not_exists(id)")
    SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"order_id": order_id}))
    return {"statusCode": 201, "body": json.dumps({"id": order_id})}
