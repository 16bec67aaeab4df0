import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  checkIdToken,
  checkWebhookAuth,
  safeEqual,
  type IdTokenVerifier,
  type WebhookAuth,
} from '../src/auth';
import { FulfillmentError } from '../src/errors';
import type { IncomingRequest } from '../src/http';

/*
 * The webhook's own checks of Basic credentials, a shared-secret header and the claims of a
 * Google ID token. The token's signature is google-auth-library's (googleIdTokenVerifier, run
 * for real in examples/restaurant/test/id-token-verifier.test.ts); here a verifier that
 * answers fixed claims stands in for it, so each rule on the claims is checked on its own.
 */

function request(headers: Record<string, string> = {}): IncomingRequest {
  const req = new IncomingMessage(new Socket()) as IncomingRequest;
  req.method = 'POST';
  req.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return req;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const none: WebhookAuth = { basic: undefined, token: undefined, oidc: undefined };
const AUDIENCE = 'https://webhook.example';
const AGENT = 'service-1@gcp-sa-dialogflow.iam.gserviceaccount.com';

/** A verifier that accepts `good` for AUDIENCE only, with `claims`. */
function verifierOf(claims: { email?: string; email_verified?: boolean }): IdTokenVerifier & {
  calls: [string, string][];
} {
  const calls: [string, string][] = [];
  const verify = async (token: string, audience: string) => {
    calls.push([token, audience]);
    if (token !== 'good' || audience !== AUDIENCE) throw new Error('invalid token');
    return claims;
  };
  return Object.assign(verify, { calls });
}
const unused: IdTokenVerifier = () => {
  throw new Error('no ID token check expected');
};

/** The FulfillmentError `run` threw or rejected with. */
async function failure(run: () => unknown): Promise<FulfillmentError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(FulfillmentError);
    return err as FulfillmentError;
  }
  throw new Error('expected a FulfillmentError');
}

describe('safeEqual', () => {
  it.each([
    ['s3cret', 's3cret', true],
    ['s3cret', 's3creT', false],
    ['s3cret', 's3cret ', false],
    ['', '', true],
    ['', 'x', false],
    ['long secret value', 'short', false],
  ])('%j vs %j: %s', (a, b, equal) => {
    expect(safeEqual(a, b)).toBe(equal);
  });
});

describe('checkWebhookAuth: Basic', () => {
  const auth: WebhookAuth = { ...none, basic: { user: 'dialogflow', password: 'pa:ss' } };

  it('accepts the configured user and password, scheme in any case, trailing spaces', () => {
    expect(
      checkWebhookAuth(request({ authorization: basic('dialogflow', 'pa:ss') }), auth, unused),
    ).toBeUndefined();
    const encoded = Buffer.from('dialogflow:pa:ss').toString('base64');
    for (const value of [`basic ${encoded}`, `BASIC   ${encoded}  `]) {
      expect(checkWebhookAuth(request({ authorization: value }), auth, unused)).toBeUndefined();
    }
  });

  it.each([
    ['no header', undefined],
    ['a wrong password', basic('dialogflow', 'pa:sS')],
    ['a wrong user', basic('Dialogflow', 'pa:ss')],
    ['a longer password', basic('dialogflow', 'pa:ss!')],
    ['another scheme', `Bearer ${Buffer.from('dialogflow:pa:ss').toString('base64')}`],
    ['text after the credentials', `${basic('dialogflow', 'pa:ss')} x`],
    ['text before the scheme', `x ${basic('dialogflow', 'pa:ss')}`],
    ['no space after the scheme', `Basic${Buffer.from('dialogflow:pa:ss').toString('base64')}`],
    ['plain text credentials', 'Basic dialogflow:pa:ss'],
  ])('rejects %s with 401 and a Basic challenge', async (_what, value) => {
    const err = await failure(() =>
      checkWebhookAuth(request(value ? { authorization: value } : {}), auth, unused),
    );
    expect(err.code).toBe('unauthenticated');
    expect(err.status).toBe(401);
    expect(err.message).toBe('Valid HTTP Basic credentials are required.');
    expect(err.headers).toEqual({ 'WWW-Authenticate': 'Basic realm="webhook", charset="UTF-8"' });
  });

  it('rejects an empty user and password unless they are the configured ones', async () => {
    const err = await failure(() =>
      checkWebhookAuth(request({ authorization: basic('', '') }), auth, unused),
    );
    expect(err.code).toBe('unauthenticated');
  });
});

describe('checkWebhookAuth: a secret header', () => {
  const auth: WebhookAuth = { ...none, token: { header: 'X-Webhook-Token', value: 'tok-123' } };

  it('accepts the secret in the configured header, whatever its case', () => {
    expect(
      checkWebhookAuth(request({ 'x-webhook-token': 'tok-123' }), auth, unused),
    ).toBeUndefined();
  });

  it.each([
    ['no header', {}],
    ['a wrong value', { 'x-webhook-token': 'tok-124' }],
    ['a prefix of the value', { 'x-webhook-token': 'tok-12' }],
    ['the value and more', { 'x-webhook-token': 'tok-1234' }],
    ['the value then NUL characters', { 'x-webhook-token': 'tok-123\u0000\u0000' }],
    ['the value then 300 more characters', { 'x-webhook-token': `tok-123${'x'.repeat(300)}` }],
    ['an empty value', { 'x-webhook-token': '' }],
    ['the value in another header', { authorization: 'tok-123' }],
  ])('rejects %s with 401 naming the header', async (_what, headers) => {
    const err = await failure(() => checkWebhookAuth(request(headers), auth, unused));
    expect(err.code).toBe('unauthenticated');
    expect(err.message).toBe('A valid X-Webhook-Token header is required.');
    expect(err.headers).toEqual({});
  });

  it.each([
    ['of 256 bytes', 'k'.repeat(256)],
    ['longer than the comparison buffer', `long-${'s'.repeat(600)}`],
    ['with multi-byte characters', 'clé-秘密-🔑'],
  ])(
    'a secret %s: accepted exactly, refused when one character or its end differs',
    async (_what, value) => {
      const each: WebhookAuth = { ...none, token: { header: 'x-t', value } };
      expect(checkWebhookAuth(request({ 'x-t': value }), each, unused)).toBeUndefined();
      for (const other of [
        `${value.slice(0, -1)}?`,
        // The same UTF-8 length, and the same low byte in each character as 秘 (U+79D8).
        ...(value.includes('秘') ? [value.replace('秘', '\u7AD8')] : []),
        `?${value.slice(1)}`,
        value.slice(0, -1),
        `${value}\u0000`,
        // Last: its extra byte would be left behind if the check did not clear it.
        `${value}x`,
      ]) {
        const err = await failure(() => checkWebhookAuth(request({ 'x-t': other }), each, unused));
        expect(err.code, JSON.stringify(other.slice(-8))).toBe('unauthenticated');
      }
      // Nothing of the refused values stays behind to spoil the next check.
      expect(checkWebhookAuth(request({ 'x-t': value }), each, unused)).toBeUndefined();
    },
  );

  it('checks many secrets, each against its own value', async () => {
    for (let i = 0; i < 20; i++) {
      const each: WebhookAuth = { ...none, token: { header: 'x-t', value: `secret-${i}` } };
      expect(checkWebhookAuth(request({ 'x-t': `secret-${i}` }), each, unused)).toBeUndefined();
      const err = await failure(() =>
        checkWebhookAuth(request({ 'x-t': `secret-${i + 1}` }), each, unused),
      );
      expect(err.code).toBe('unauthenticated');
    }
  });
});

describe('checkWebhookAuth: every configured mechanism must pass', () => {
  const auth: WebhookAuth = {
    basic: { user: 'u', password: 'p' },
    token: { header: 'x-token', value: 't' },
    oidc: undefined,
  };

  it('passes with both, fails with either missing', async () => {
    expect(
      checkWebhookAuth(request({ authorization: basic('u', 'p'), 'x-token': 't' }), auth, unused),
    ).toBeUndefined();
    const noToken = await failure(() =>
      checkWebhookAuth(request({ authorization: basic('u', 'p') }), auth, unused),
    );
    expect(noToken.message).toBe('A valid x-token header is required.');
    const noBasic = await failure(() =>
      checkWebhookAuth(request({ 'x-token': 't' }), auth, unused),
    );
    expect(noBasic.message).toBe('Valid HTTP Basic credentials are required.');
  });

  it('checks the ID token after the others, and only then returns a promise', async () => {
    const verify = verifierOf({ email: AGENT, email_verified: true });
    const all: WebhookAuth = { ...auth, oidc: { audience: AUDIENCE, emails: [AGENT] } };
    const result = checkWebhookAuth(
      request({ authorization: 'Bearer good', 'x-token': 't' }),
      { ...all, basic: undefined },
      verify,
    );
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBeUndefined();
    expect(verify.calls).toEqual([['good', AUDIENCE]]);
    const wrongToken = await failure(() =>
      checkWebhookAuth(
        request({ authorization: 'Bearer good' }),
        { ...all, basic: undefined },
        verify,
      ),
    );
    expect(wrongToken.message).toBe('A valid x-token header is required.');
    expect(verify.calls).toHaveLength(1);
  });

  it('with nothing configured, lets every request through', () => {
    expect(checkWebhookAuth(request(), none, unused)).toBeUndefined();
  });
});

describe('checkIdToken', () => {
  const oidc = { audience: AUDIENCE, emails: [AGENT] };

  it('accepts a token the verifier accepts, from an allowed identity', async () => {
    const verify = verifierOf({ email: AGENT, email_verified: true });
    await expect(
      checkIdToken(request({ authorization: 'Bearer good' }), oidc, verify),
    ).resolves.toBeUndefined();
    await expect(
      checkIdToken(request({ authorization: 'bearer   good  ' }), oidc, verify),
    ).resolves.toBeUndefined();
    expect(verify.calls).toEqual([
      ['good', AUDIENCE],
      ['good', AUDIENCE],
    ]);
  });

  it('accepts claims without email_verified (only an explicit false is refused)', async () => {
    await expect(
      checkIdToken(request({ authorization: 'Bearer good' }), oidc, verifierOf({ email: AGENT })),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['no header', {}],
    ['another scheme', { authorization: 'Basic good' }],
    ['an empty token', { authorization: 'Bearer ' }],
    ['two words', { authorization: 'Bearer good extra' }],
    ['text before the scheme', { authorization: 'x Bearer good' }],
  ])('requires a Bearer token: %s is 401', async (_what, headers) => {
    const verify = verifierOf({ email: AGENT });
    const err = await failure(() => checkIdToken(request(headers), oidc, verify));
    expect(err.code).toBe('unauthenticated');
    expect(err.message).toBe('A Bearer ID token is required.');
    expect(verify.calls).toEqual([]);
  });

  it('a token the verifier refuses is 401, without its reason', async () => {
    const err = await failure(() =>
      checkIdToken(request({ authorization: 'Bearer forged' }), oidc, verifierOf({ email: AGENT })),
    );
    expect(err.code).toBe('unauthenticated');
    expect(err.message).toBe('The ID token is not valid for this audience.');
  });

  it('passes the configured audience to the verifier', async () => {
    const err = await failure(() =>
      checkIdToken(
        request({ authorization: 'Bearer good' }),
        { ...oidc, audience: 'https://other.example' },
        verifierOf({ email: AGENT }),
      ),
    );
    expect(err.code).toBe('unauthenticated');
  });

  it.each([
    ['another identity', { email: 'someone@example.com', email_verified: true }],
    ['an unverified email', { email: AGENT, email_verified: false }],
    ['no email', { email_verified: true }],
    ['an empty email', { email: '', email_verified: true }],
  ])('a valid token from %s is 403', async (_what, claims) => {
    const err = await failure(() =>
      checkIdToken(request({ authorization: 'Bearer good' }), oidc, verifierOf(claims)),
    );
    expect(err.code).toBe('permission-denied');
    expect(err.status).toBe(403);
    expect(err.message).toBe('The ID token is not from an allowed identity.');
  });

  it('with no allowed emails configured, any valid token passes', async () => {
    await expect(
      checkIdToken(
        request({ authorization: 'Bearer good' }),
        { audience: AUDIENCE, emails: [] },
        verifierOf({ email_verified: false }),
      ),
    ).resolves.toBeUndefined();
  });
});
