import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { googleIdTokenVerifier, type IdTokenVerifier } from '@dialogflow-functions/core/auth';
import { esRequest } from '@dialogflow-functions/testing/requests';
import { listen, post, startWebhook, type Running, type TestWebhook } from './helpers/servers';
import { textOf } from '@dialogflow-functions/testing/replies';

/*
 * The production ID-token check (google-auth-library's OAuth2Client.verifyIdToken behind
 * googleIdTokenVerifier), run for real: RS256 tokens signed here with node:crypto, their public
 * keys served by a loopback server in place of Google's PEM certificates endpoint.
 */

const AUDIENCE = 'https://webhook.example';
const AGENT = 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com';
const OTHER = 'someone@other-project.iam.gserviceaccount.com';

const newKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
/** Served under kid "k1"; "stranger" signs with a key the server never shows. */
const served = newKey();
const stranger = newKey();

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

interface Claims {
  iss: string;
  aud: string;
  sub: string;
  email: string;
  email_verified: boolean;
  iat: number;
  exp: number;
}

/** A token as Google issues it for a service account, with `overrides` applied. */
function token(
  overrides: Partial<Claims> = {},
  { kid = 'k1', key = served.privateKey }: { kid?: string; key?: KeyObject } = {},
): string {
  const claims: Claims = {
    iss: 'https://accounts.google.com',
    aud: AUDIENCE,
    sub: '1234567890',
    email: AGENT,
    email_verified: true,
    iat: nowSec() - 10,
    exp: nowSec() + 3600,
    ...overrides,
  };
  const signed = `${b64url({ alg: 'RS256', kid, typ: 'JWT' })}.${b64url(claims)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

let certs: Running;
let certRequests = 0;
let verifier: IdTokenVerifier;

beforeAll(async () => {
  const pem = served.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  certs = await listen(
    createServer((_req, res) => {
      certRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ k1: pem }));
    }),
  );
  verifier = googleIdTokenVerifier({ certsUrl: certs.url });
});
afterAll(() => certs.close());

describe('googleIdTokenVerifier (google-auth-library, keys from a loopback server)', () => {
  it('accepts a good token and returns its claims, fetching the keys from the configured URL', async () => {
    const before = certRequests;
    await expect(verifier(token(), AUDIENCE)).resolves.toEqual({
      email: AGENT,
      email_verified: true,
    });
    expect(certRequests).toBeGreaterThan(before);
  });

  it.each([
    ['a wrong audience', () => token({ aud: 'https://elsewhere.example' }), /Wrong recipient/],
    [
      'an expired token',
      // Beyond the library's 5-minute clock skew.
      () => token({ iat: nowSec() - 7200, exp: nowSec() - 3600 }),
      /Token used too late/,
    ],
    ['a token not yet valid', () => token({ iat: nowSec() + 3600 }), /Token used too early/],
    ['another issuer', () => token({ iss: 'https://issuer.example' }), /Invalid issuer/],
    [
      'a bad signature (served kid, another key)',
      () => token({}, { key: stranger.privateKey }),
      /Invalid token signature/,
    ],
    [
      'a tampered payload',
      () => {
        const [head, , sig] = token().split('.');
        return `${head}.${b64url({ iss: 'https://accounts.google.com', aud: AUDIENCE, email: OTHER, email_verified: true, iat: nowSec(), exp: nowSec() + 60 })}.${sig}`;
      },
      /Invalid token signature/,
    ],
    [
      'an unknown kid',
      () => token({}, { kid: 'k-unknown', key: stranger.privateKey }),
      /No pem found/,
    ],
  ] as [string, () => string, RegExp][])('rejects %s', async (_name, make, reason) => {
    await expect(verifier(make(), AUDIENCE)).rejects.toThrow(reason);
  });

  it('passes another identity and email_verified through for the claim check to judge', async () => {
    await expect(verifier(token({ email: OTHER }), AUDIENCE)).resolves.toEqual({
      email: OTHER,
      email_verified: true,
    });
    await expect(verifier(token({ email_verified: false }), AUDIENCE)).resolves.toEqual({
      email: AGENT,
      email_verified: false,
    });
  });
});

describe('webhook with WEBHOOK_OIDC_* and the real verifier', () => {
  let webhook: TestWebhook;
  beforeAll(async () => {
    webhook = await startWebhook({
      env: { WEBHOOK_OIDC_AUDIENCE: AUDIENCE, WEBHOOK_OIDC_EMAILS: AGENT },
      verifyIdToken: googleIdTokenVerifier({ certsUrl: certs.url }),
    });
  });
  afterAll(() => webhook.close());

  it.each([
    ['a good token from the Dialogflow service agent', 200, () => token()],
    ['no token', 401, () => ''],
    ['a wrong audience', 401, () => token({ aud: 'https://elsewhere.example' })],
    ['an expired token', 401, () => token({ iat: nowSec() - 7200, exp: nowSec() - 3600 })],
    ['a bad signature', 401, () => token({}, { key: stranger.privateKey })],
    ['an unknown kid', 401, () => token({}, { kid: 'k-unknown', key: stranger.privateKey })],
    ['another service account', 403, () => token({ email: OTHER })],
    ['email_verified false', 403, () => token({ email_verified: false })],
  ] as [string, number, () => string][])('%s → %i', async (_name, status, make) => {
    const bearer = make();
    const res = await post(
      webhook.url,
      esRequest({ name: 'Default Welcome Intent' }),
      bearer ? { authorization: `Bearer ${bearer}` } : {},
    );
    expect(res.status).toBe(status);
    if (status === 200) expect(textOf('es', res.body)).not.toBe('');
    else expect(res.body).toMatchObject({ error: expect.anything() });
  });
});
