// put_item: a placeholder handler for the example.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ ok: true, path: event.path }),
});
