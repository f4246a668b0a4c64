// The REST API's JWT authorizer (templates/authorizer/index.mjs) against an
// attacker's tokens. Run by tests/authorizer.rs (`node --test`): keys are
// generated here, the issuer's discovery document and JWKS are stubbed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';

const { authorizer } = await import(process.env.PALISADE_AUTHORIZER ?? '../../templates/authorizer/index.mjs');

const ISSUER = 'https://auth.example.com/';
const NOW = 1_800_000_000;
const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (pair, kid) => ({ ...pair.publicKey.export({ format: 'jwk' }), kid, use: 'sig' });
const JWKS = { keys: [jwk(rsa, 'rsa-1'), jwk(ec, 'ec-1')] };

const CONFIG = {
  issuer: ISSUER,
  audience: ['shop'],
  routes: [
    { method: 'GET', path: '/items/*', scopes: ['items:read'] },
    { method: 'GET', path: '/items/*/secret', scopes: ['admin'] },
    { method: 'POST', path: '/items', scopes: ['items:write', 'admin'] },
    { method: '*', path: '/health', scopes: [] },
  ],
};

function stubFetch() {
  const calls = [];
  const fetch = async (url) => {
    calls.push(url);
    const body =
      url === 'https://auth.example.com/.well-known/openid-configuration'
        ? { issuer: ISSUER, jwks_uri: 'https://auth.example.com/jwks.json' }
        : url === 'https://auth.example.com/jwks.json'
          ? JWKS
          : null;
    return { ok: body !== null, json: async () => body };
  };
  return { fetch, calls };
}

function make() {
  const stub = stubFetch();
  return { authorize: authorizer(CONFIG, { fetch: stub.fetch, now: () => NOW * 1000 }), calls: stub.calls };
}

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claims(extra = {}) {
  return { iss: ISSUER, aud: 'shop', sub: 'user-1', exp: NOW + 300, iat: NOW - 10, scope: 'items:read', ...extra };
}

function token({ alg = 'RS256', kid = 'rsa-1', key = rsa.privateKey, header = {}, payload = claims() } = {}) {
  const head = b64({ alg, kid, typ: 'JWT', ...header });
  const body = b64(payload);
  const input = `${head}.${body}`;
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

const event = (jwt, methodArn = `${ARN}/GET/items/42`) => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${jwt}`,
  methodArn,
});

async function rejected(authorize, e) {
  await assert.rejects(authorize(e), (error) => {
    assert.equal(error.message, 'Unauthorized');
    return true;
  });
}

function resources(result, effect) {
  return result.policyDocument.Statement.filter((s) => s.Effect === effect).flatMap((s) => s.Resource);
}

test('a valid RS256 token is allowed exactly the routes its scopes permit', async () => {
  const { authorize } = make();
  const result = await authorize(event(token()));
  assert.equal(result.principalId, 'user-1');
  assert.deepEqual(resources(result, 'Allow').sort(), [`${ARN}/*/health`, `${ARN}/GET/items/*`]);
  assert.deepEqual(resources(result, 'Deny').sort(), [`${ARN}/GET/items/*/secret`, `${ARN}/POST/items`]);
  for (const statement of result.policyDocument.Statement) {
    for (const resource of statement.Resource) {
      assert.ok(!resource.endsWith(`${ARN}/*`) && resource !== '*', `no wildcard of the whole API: ${resource}`);
    }
  }
});

test('a valid ES256 token and the scp claim are accepted; any one of a route\'s scopes suffices', async () => {
  const { authorize } = make();
  const jwt = token({ alg: 'ES256', kid: 'ec-1', key: ec.privateKey, payload: claims({ scope: undefined, scp: ['admin'] }) });
  const result = await authorize(event(jwt));
  assert.deepEqual(resources(result, 'Allow').sort(), [`${ARN}/*/health`, `${ARN}/GET/items/*/secret`, `${ARN}/POST/items`]);
  assert.deepEqual(resources(result, 'Deny'), [`${ARN}/GET/items/*`]);
});

test('an audience array intersecting the configured audience is accepted', async () => {
  const { authorize } = make();
  const result = await authorize(event(token({ payload: claims({ aud: ['other', 'shop'] }) })));
  assert.equal(result.principalId, 'user-1');
});

test('a token without the scope is denied the route, not allowed it', async () => {
  const { authorize } = make();
  const result = await authorize(event(token({ payload: claims({ scope: 'items:write-ish' }) })));
  assert.deepEqual(resources(result, 'Allow'), [`${ARN}/*/health`]);
  assert.ok(resources(result, 'Deny').includes(`${ARN}/GET/items/*`));
});

const ATTACKS = {
  'wrong issuer': () => token({ payload: claims({ iss: 'https://evil.example.com/' }) }),
  'issuer without its trailing slash': () => token({ payload: claims({ iss: 'https://auth.example.com' }) }),
  'wrong audience': () => token({ payload: claims({ aud: 'admin-console' }) }),
  'no audience at all': () => token({ payload: claims({ aud: undefined }) }),
  'audience in a nested array': () => token({ payload: claims({ aud: [['shop']] }) }),
  expired: () => token({ payload: claims({ exp: NOW - 120 }) }),
  'no expiry': () => token({ payload: claims({ exp: undefined }) }),
  'expiry as a string': () => token({ payload: claims({ exp: String(NOW + 300) }) }),
  'not valid yet (nbf)': () => token({ payload: claims({ nbf: NOW + 600 }) }),
  'issued in the future': () => token({ payload: claims({ iat: NOW + 600 }) }),
  'no subject': () => token({ payload: claims({ sub: undefined }) }),
  'alg none': () => `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.`,
  'alg none with a signature': () => `${b64({ alg: 'none', kid: 'rsa-1' })}.${b64(claims())}.AAAA`,
  'HS256 signed with the public key as the secret': () => {
    const head = b64({ alg: 'HS256', kid: 'rsa-1' });
    const body = b64(claims());
    const secret = rsa.publicKey.export({ format: 'pem', type: 'spki' });
    const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${mac}`;
  },
  'RS256 header on the EC key': () => token({ alg: 'RS256', kid: 'ec-1', key: rsa.privateKey }),
  'ES256 header on the RSA key': () => token({ alg: 'ES256', kid: 'rsa-1', key: ec.privateKey }),
  'unknown kid': () => token({ kid: 'rsa-2' }),
  'no kid': () => token({ header: { kid: undefined } }),
  'signed by another key': () => token({ key: other.privateKey }),
  'payload swapped after signing': () => {
    const [head, , signature] = token().split('.');
    return `${head}.${b64(claims({ scope: 'admin' }))}.${signature}`;
  },
  'critical header extension': () => token({ header: { crit: ['exp'] } }),
  'malformed token': () => 'not-a-jwt',
  'token with extra dots': () => `${token()}.extra`,
  'token with an empty segment': () => {
    const [head, body] = token().split('.');
    return `${head}.${body}.`;
  },
  'header that is not JSON': () => `${b64('{"alg":')}.${b64(claims())}.AAAA`,
  'header that is an array': () => `${b64(['RS256'])}.${b64(claims())}.AAAA`,
  'non-base64url characters': () => token().replace(/\./, '.+/'),
};

for (const [name, attack] of Object.entries(ATTACKS)) {
  test(`rejects: ${name}`, async () => {
    const { authorize } = make();
    await rejected(authorize, event(attack()));
  });
}

test('rejects a token that is not a bearer token, or is missing', async () => {
  const { authorize } = make();
  await rejected(authorize, { ...event(token()), authorizationToken: token() });
  await rejected(authorize, { ...event(token()), authorizationToken: undefined });
  await rejected(authorize, { ...event(token()), authorizationToken: `Bearer ${'a'.repeat(9000)}` });
});

test('rejects a malformed method ARN', async () => {
  const { authorize } = make();
  await rejected(authorize, event(token(), 'arn:aws:s3:::bucket'));
  await rejected(authorize, event(token(), 'nonsense'));
});

test('an issuer whose discovery document names another issuer is refused', async () => {
  const fetch = async (url) => ({
    ok: true,
    json: async () =>
      url.endsWith('/.well-known/openid-configuration')
        ? { issuer: 'https://evil.example.com/', jwks_uri: 'https://evil.example.com/jwks.json' }
        : JWKS,
  });
  const authorize = authorizer(CONFIG, { fetch, now: () => NOW * 1000 });
  await rejected(authorize, event(token()));
});

test('a JWKS URI that is not https is refused', async () => {
  const fetch = async (url) => ({
    ok: true,
    json: async () =>
      url.endsWith('/.well-known/openid-configuration') ? { issuer: ISSUER, jwks_uri: 'http://auth.example.com/jwks.json' } : JWKS,
  });
  const authorize = authorizer(CONFIG, { fetch, now: () => NOW * 1000 });
  await rejected(authorize, event(token()));
});

test('keys are cached, and unknown kids do not make every request a fetch', async () => {
  const { authorize, calls } = make();
  await authorize(event(token()));
  await authorize(event(token()));
  assert.equal(calls.length, 2, 'discovery and JWKS once');
  await rejected(authorize, event(token({ kid: 'made-up' })));
  await rejected(authorize, event(token({ kid: 'made-up-2' })));
  assert.equal(calls.length, 2, 'no refetch within a minute of the last');
});
