// Shared by build and snapshot: a tiny client for the warehouse's SQL-over-HTTPS API.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

const secrets = new SecretsManagerClient({});
const SECRET_ARN = process.env.WAREHOUSE_CREDENTIALS_SECRET_ARN; // the ARN, never the value
const HOST = process.env.WAREHOUSE_HOST;
const DATABASE = process.env.WAREHOUSE_DATABASE;

let credentials; // { username, password }, cached per execution environment

async function authHeader() {
  if (credentials === undefined) {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }));
    credentials = JSON.parse(out.SecretString);
  }
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  return `Basic ${token}`;
}

export async function query(sql, params = [], retried = false) {
  const response = await fetch(`https://${HOST}/v1/databases/${DATABASE}/query`, {
    method: "POST",
    headers: { authorization: await authHeader(), "content-type": "application/json" },
    body: JSON.stringify({ sql, params }),
    signal: AbortSignal.timeout(50_000),
  });
  if (response.status === 401 && !retried) {
    // The password was rotated since it was cached: read it again, once.
    credentials = undefined;
    return query(sql, params, true);
  }
  if (!response.ok) {
    throw new Error(`warehouse query failed: HTTP ${response.status}`);
  }
  const { rows } = await response.json();
  return rows;
}

export function toCsv(rows) {
  if (rows.length === 0) return "";
  const columns = Object.keys(rows[0]);
  const cell = (v) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}
