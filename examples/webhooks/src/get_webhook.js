// GET /webhooks/{id}: the support console looks up one recorded event.
// CommonJS on purpose (a .js handler without "type": "module").
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, GetCommand } = require("@aws-sdk/lib-dynamodb");

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.WEBHOOK_EVENTS_TABLE;

exports.handler = async (event) => {
  const id = event.pathParameters?.id;
  if (!id || !/^evt_[A-Za-z0-9]+$/.test(id)) {
    return { statusCode: 400, body: JSON.stringify({ message: "bad event id" }) };
  }
  const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: { event_id: id } }));
  if (!Item) {
    return { statusCode: 404, body: JSON.stringify({ message: "not found" }) };
  }
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: Item.event_id, type: Item.type, created: Item.created }),
  };
};
