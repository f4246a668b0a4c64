// Runs the handler of a built authorizer package (its index.mjs reading its
// own config.json) on one token, with the issuer stubbed. Used by
// tests/authorizer.rs: argv is the unpacked package's directory, then the
// token's claims as JSON, then the method ARN; the environment is the
// function's, as the template sets it. Prints the handler's answer,
// or {"error": <message>}.

import { generateKeyPairSync, sign } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [dir, claimsJson, methodArn] = process.argv.slice(2);
const claims = JSON.parse(claimsJson);
const issuer = claims.iss;
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };

globalThis.fetch = async (url) => {
  const body = url.endsWith('/.well-known/openid-configuration')
    ? { issuer, jwks_uri: 'https://keys.example.com/jwks.json' }
    : { keys: [jwk] };
  return { ok: true, json: async () => body };
};

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const input = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 300, ...claims })}`;
const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;

const { handler } = await import(pathToFileURL(path.join(dir, 'index.mjs')).href);
try {
  console.log(JSON.stringify(await handler({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn })));
} catch (error) {
  console.log(JSON.stringify({ error: error.message }));
}
