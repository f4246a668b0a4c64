// Secrets Manager rotation for the warehouse user (the secret's `rotation:`):
// the four steps of the rotation protocol, against the warehouse's
// SQL-over-HTTPS API. The user changes its own password, so the function
// needs no warehouse administrator and only this secret.
import { randomBytes } from "node:crypto";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";

const secrets = new SecretsManagerClient({});
const HOST = process.env.WAREHOUSE_HOST;
const DATABASE = process.env.WAREHOUSE_DATABASE;

async function value(SecretId, VersionStage, VersionId) {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId, VersionStage, VersionId }));
  return JSON.parse(out.SecretString);
}

async function sql(credentials, statement, params = []) {
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  const response = await fetch(`https://${HOST}/v1/databases/${DATABASE}/query`, {
    method: "POST",
    headers: { authorization: `Basic ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ sql: statement, params }),
    signal: AbortSignal.timeout(20_000),
  });
  if (!response.ok) {
    throw new Error(`warehouse: HTTP ${response.status}`);
  }
}

export const handler = async ({ SecretId, ClientRequestToken: token, Step }) => {
  const { RotationEnabled, VersionIdsToStages: stages } = await secrets.send(
    new DescribeSecretCommand({ SecretId }),
  );
  if (!RotationEnabled || !stages?.[token]) {
    throw new Error(`rotation of ${SecretId} is not enabled or ${token} is not a version of it`);
  }
  if (stages[token].includes("AWSCURRENT")) return; // already finished
  switch (Step) {
    case "createSecret": {
      try {
        await value(SecretId, "AWSPENDING", token);
        return; // created by an earlier attempt
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      const current = await value(SecretId, "AWSCURRENT");
      const password = randomBytes(24).toString("base64url");
      await secrets.send(
        new PutSecretValueCommand({
          SecretId,
          ClientRequestToken: token,
          SecretString: JSON.stringify({ ...current, password }),
          VersionStages: ["AWSPENDING"],
        }),
      );
      return;
    }
    case "setSecret": {
      const current = await value(SecretId, "AWSCURRENT");
      const pending = await value(SecretId, "AWSPENDING", token);
      await sql(current, "alter user current_user set password = $1", [pending.password]);
      return;
    }
    case "testSecret":
      await sql(await value(SecretId, "AWSPENDING", token), "select 1");
      return;
    case "finishSecret": {
      const previous = Object.keys(stages).find((id) => stages[id].includes("AWSCURRENT"));
      await secrets.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: "AWSCURRENT",
          MoveToVersionId: token,
          RemoveFromVersionId: previous,
        }),
      );
      return;
    }
    default:
      throw new Error(`unknown rotation step ${Step}`);
  }
};
