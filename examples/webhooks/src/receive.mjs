// POST /webhooks/stripe (public): the route skips the JWT authorizer, so this
// handler is the authentication. It rejects anything without a valid
// Stripe-Signature before the payload is parsed or queued.
import { createHmac, timingSafeEqual } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const secrets = new SecretsManagerClient({});
const sqs = new SQSClient({});
const QUEUE_URL = process.env.STRIPE_EVENTS_QUEUE_URL;
const SECRET_ARN = process.env.STRIPE_SIGNING_SECRET_ARN; // the ARN, never the value
const TOLERANCE_SECONDS = Number(process.env.SIGNATURE_TOLERANCE_SECONDS ?? "300");

let signingSecret; // cached for the life of the execution environment

async function getSigningSecret() {
  if (signingSecret === undefined) {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }));
    signingSecret = out.SecretString;
  }
  return signingSecret;
}

export function verifySignature(payload, header, secret, nowSeconds) {
  if (!header) return false;
  let timestamp = NaN;
  const signatures = [];
  for (const part of header.split(",")) {
    const [key, value] = part.split("=", 2);
    if (key === "t") timestamp = Number(value);
    if (key === "v1" && value) signatures.push(Buffer.from(value, "hex"));
  }
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
    return false;
  }
  const expected = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest();
  return signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

export const handler = async (event) => {
  const payload = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  const header = event.headers?.["stripe-signature"];
  const now = Math.floor(Date.now() / 1000);

  if (!verifySignature(payload, header, await getSigningSecret(), now)) {
    return { statusCode: 400, body: JSON.stringify({ message: "invalid signature" }) };
  }

  const stripeEvent = JSON.parse(payload);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: QUEUE_URL,
      MessageBody: payload,
      // FIFO: events for one customer are applied in order; Stripe's event id
      // deduplicates Stripe's own retries within the 5-minute window.
      MessageGroupId: stripeEvent.data?.object?.customer ?? stripeEvent.id,
      MessageDeduplicationId: stripeEvent.id,
    }),
  );
  return { statusCode: 202, body: JSON.stringify({ received: stripeEvent.id }) };
};
