"""GET /health: public probe; touches nothing and reveals nothing."""


def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
