// Palisade's JWT authorizer for a REST API (API Gateway's TOKEN authorizer).
// Generated into every service whose REST API has `auth: jwt:`: API
// Gateway's own REST authorizer knows only Cognito user pools and checks no
// audience, so this verifies any OIDC issuer's tokens as the HTTP API's JWT
// authorizer does. Node.js built-ins only: nothing to patch, nothing to audit
// beyond this file. Its settings are the environment variables
// PALISADE_JWT_ISSUER and PALISADE_JWT_AUDIENCE (a JSON list), and
// `config.json` beside it (each route's method, path and scopes), all
// written by Palisade from the spec.
//
// Every failure is the same "Unauthorized" (401): callers learn nothing of
// why. The log says why in a word, never the token or its claims.

import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Accepted algorithms and the key each needs. No `none`, no HMAC: the keys
// are public, so an HMAC "signature" made with one proves nothing.
const ALGORITHMS = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  ES256: { kty: 'EC', hash: 'sha256', crv: 'P-256', size: 64 },
  ES384: { kty: 'EC', hash: 'sha384', crv: 'P-384', size: 96 },
};

// Clocks drift; a minute is the usual allowance.
const SKEW_SECONDS = 60;
// Keys are fetched again after this long, so a rotated key is seen.
const JWKS_TTL_MS = 10 * 60 * 1000;
// An unknown `kid` refetches the keys at most this often, so tokens with
// made-up key IDs cannot make every request a fetch.
const REFETCH_MS = 60 * 1000;
// An issuer that does not answer in time fails the request, not the API.
const FETCH_TIMEOUT_MS = 3000;
// A token longer than this is not a token (API Gateway's header limit is 10 KB).
const MAX_TOKEN = 8192;

const SEGMENT = /^[A-Za-z0-9_-]+$/;

class Rejected extends Error {}

function reject(reason) {
  throw new Rejected(reason);
}

function decodeJson(segment, what) {
  if (!SEGMENT.test(segment)) reject(`malformed ${what}`);
  let value;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    reject(`malformed ${what}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    reject(`malformed ${what}`);
  }
  return value;
}

function isNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

// The scopes a token grants: OAuth's space-separated `scope` and the `scp`
// array (or string) some issuers use instead.
function grantedScopes(claims) {
  const granted = new Set();
  const add = (value) => {
    if (typeof value === 'string') {
      for (const scope of value.split(' ')) if (scope) granted.add(scope);
    } else if (Array.isArray(value)) {
      for (const scope of value) if (typeof scope === 'string' && scope) granted.add(scope);
    }
  };
  add(claims.scope);
  add(claims.scp);
  return granted;
}

// `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/...` → its
// first part up to the stage, which every method of this API shares.
function apiPrefix(methodArn) {
  if (typeof methodArn !== 'string') reject('no method ARN');
  const parts = methodArn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api') {
    reject('malformed method ARN');
  }
  const [api, stage] = parts[5].split('/');
  if (!api || !stage) reject('malformed method ARN');
  return `${parts.slice(0, 5).join(':')}:${api}/${stage}`;
}

// What this token may call. The result is cached by token and reused for
// every method of the API, so it names each route: Allow for those whose
// scopes the token has, an explicit Deny for the rest (a path parameter is
// a `*`, which also matches deeper paths; the Deny keeps a route that needs
// more scopes out of a shallower route's Allow).
function policy(routes, prefix, granted) {
  const allowed = [];
  const denied = [];
  for (const route of routes) {
    const arn = `${prefix}/${route.method}${route.path}`;
    const permitted =
      route.scopes.length === 0 || route.scopes.some((scope) => granted.has(scope));
    (permitted ? allowed : denied).push(arn);
  }
  const statements = [];
  if (allowed.length > 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowed });
  }
  if (denied.length > 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: denied });
  }
  if (statements.length === 0) {
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}/*`] });
  }
  return { Version: '2012-10-17', Statement: statements };
}

// The authorizer for `config`, fetching with `deps.fetch` and reading the
// time from `deps.now` (milliseconds), so tests can stub both.
export function authorizer(config, deps) {
  const issuer = config.issuer;
  if (typeof issuer !== 'string' || !issuer.startsWith('https://')) throw new Error('no issuer configured');
  const audience = new Set(config.audience);
  let keys = null;
  let fetchedAt = -Infinity;

  async function getJson(url) {
    if (!url.startsWith('https://')) reject('non-https URL');
    const response = await deps.fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) reject('fetch failed');
    return response.json();
  }

  async function fetchKeys() {
    const discovery = await getJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    // OpenID Connect Discovery: the document must name the issuer it is for.
    if (discovery?.issuer !== issuer || typeof discovery.jwks_uri !== 'string') {
      reject('discovery mismatch');
    }
    const jwks = await getJson(discovery.jwks_uri);
    if (!Array.isArray(jwks?.keys)) reject('malformed JWKS');
    keys = jwks.keys;
    fetchedAt = deps.now();
  }

  async function key(kid) {
    const now = deps.now();
    if (keys === null || now - fetchedAt > JWKS_TTL_MS) await fetchKeys();
    let found = keys.find((k) => k && k.kid === kid);
    if (!found && now - fetchedAt > REFETCH_MS) {
      await fetchKeys();
      found = keys.find((k) => k && k.kid === kid);
    }
    if (!found) reject('unknown kid');
    return found;
  }

  async function claimsOf(token) {
    if (typeof token !== 'string' || token.length > MAX_TOKEN) reject('no token');
    const match = /^Bearer ([^ ]+)$/i.exec(token);
    if (!match) reject('not a bearer token');
    const parts = match[1].split('.');
    if (parts.length !== 3) reject('malformed token');
    const [head, body, signature] = parts;
    const header = decodeJson(head, 'header');
    const claims = decodeJson(body, 'payload');
    if (!SEGMENT.test(signature)) reject('malformed signature');
    const algorithm = Object.hasOwn(ALGORITHMS, header.alg) ? ALGORITHMS[header.alg] : null;
    if (!algorithm) reject('algorithm not allowed');
    // Extensions this code does not understand must not be ignored (RFC 7515).
    if (header.crit !== undefined) reject('critical header');
    if (typeof header.kid !== 'string' || header.kid === '') reject('no kid');
    const jwk = await key(header.kid);
    if (jwk.kty !== algorithm.kty) reject('key type mismatch');
    if (jwk.alg !== undefined && jwk.alg !== header.alg) reject('key algorithm mismatch');
    if (jwk.use !== undefined && jwk.use !== 'sig') reject('key not for signing');
    if (algorithm.crv && jwk.crv !== algorithm.crv) reject('curve mismatch');
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    const bytes = Buffer.from(signature, 'base64url');
    if (algorithm.size && bytes.length !== algorithm.size) reject('bad signature');
    const signed = Buffer.from(`${head}.${body}`, 'ascii');
    const options = algorithm.kty === 'EC' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey;
    if (!verify(algorithm.hash, signed, options, bytes)) reject('bad signature');

    if (claims.iss !== issuer) reject('wrong issuer');
    // `aud`, or Cognito access tokens' `client_id` when there is no `aud`,
    // as the HTTP API's JWT authorizer reads them.
    const audiences =
      claims.aud === undefined ? [claims.client_id] : [claims.aud].flat();
    if (!audiences.some((a) => typeof a === 'string' && audience.has(a))) reject('wrong audience');
    const now = deps.now() / 1000;
    if (!isNumber(claims.exp)) reject('no expiry');
    if (now > claims.exp + SKEW_SECONDS) reject('expired');
    if (claims.nbf !== undefined && (!isNumber(claims.nbf) || now < claims.nbf - SKEW_SECONDS)) {
      reject('not yet valid');
    }
    if (claims.iat !== undefined && (!isNumber(claims.iat) || claims.iat > now + SKEW_SECONDS)) {
      reject('issued in the future');
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') reject('no subject');
    return claims;
  }

  return async function authorize(event) {
    try {
      const prefix = apiPrefix(event?.methodArn);
      const claims = await claimsOf(event?.authorizationToken);
      return {
        principalId: claims.sub,
        policyDocument: policy(config.routes, prefix, grantedScopes(claims)),
        context: { sub: claims.sub },
      };
    } catch (error) {
      console.log(
        JSON.stringify({ authorizer: 'rejected', reason: error instanceof Rejected ? error.message : 'error' }),
      );
      // API Gateway answers 401 to exactly this message.
      throw new Error('Unauthorized');
    }
  };
}

let configured;

export async function handler(event) {
  configured ??= authorizer(
    {
      ...JSON.parse(readFileSync(new URL('./config.json', import.meta.url), 'utf8')),
      issuer: process.env.PALISADE_JWT_ISSUER,
      audience: JSON.parse(process.env.PALISADE_JWT_AUDIENCE),
    },
    { fetch: globalThis.fetch, now: Date.now },
  );
  return configured(event);
}
