import { timingSafeEqual } from 'node:crypto';
import { FulfillmentError } from '../errors';
import { header, type IncomingRequest } from '../http';
import { lazyAsync } from '../lazy';
import { sha256 } from '../sha256';

/** Verifies a Google-signed ID token for an audience; resolves to its claims or rejects. */
export type IdTokenVerifier = (
  token: string,
  audience: string,
) => Promise<{ email?: string; email_verified?: boolean }>;

export interface WebhookAuth {
  basic: { user: string; password: string } | undefined;
  token: { header: string; value: string } | undefined;
  oidc: { audience: string; emails: string[] } | undefined;
}

/** Constant-time comparison of two secrets of any length. */
export function safeEqual(a: string, b: string): boolean {
  // Stryker disable next-line ConditionalExpression: equal SHA-256 digests already mean equal strings (the length check is a second guard)
  return timingSafeEqual(sha256(a), sha256(b)) && a.length === b.length;
}

/** Digests of the configured secrets, computed once (a handful per process). */
const expectedDigests = new Map<string, Buffer>();

/** {@link safeEqual} against a configured secret whose digest is kept: one hash per request. */
function matchesSecret(value: string, expected: string): boolean {
  let digest = expectedDigests.get(expected);
  // Stryker disable next-line ConditionalExpression: recomputing the digest gives the same one
  if (!digest) {
    digest = sha256(expected);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: bounds the cache only
    if (expectedDigests.size < 16) expectedDigests.set(expected, digest);
  }
  // Stryker disable next-line ConditionalExpression: as in safeEqual
  return timingSafeEqual(sha256(value), digest) && value.length === expected.length;
}

/**
 * Checks every configured mechanism (all that are set must pass). Throws `unauthenticated`
 * (401) or `permission-denied` (403) without saying which secret was wrong. Basic auth and
 * tokens are checked synchronously (nothing returned); only an ID token check returns a promise,
 * which rejects the same way.
 */
export function checkWebhookAuth(
  req: IncomingRequest,
  auth: WebhookAuth,
  verifyIdToken: IdTokenVerifier,
): void | Promise<void> {
  if (auth.basic) {
    const value = header(req, 'authorization') ?? '';
    const m = value.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
    const decoded = m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
    const expected = `${auth.basic.user}:${auth.basic.password}`;
    if (!matchesSecret(decoded, expected)) {
      throw new FulfillmentError('unauthenticated', 'Valid HTTP Basic credentials are required.', {
        'WWW-Authenticate': 'Basic realm="webhook", charset="UTF-8"',
      });
    }
  }
  if (auth.token) {
    const value = header(req, auth.token.header) ?? '';
    if (!matchesSecret(value, auth.token.value)) {
      throw new FulfillmentError(
        'unauthenticated',
        `A valid ${auth.token.header} header is required.`,
      );
    }
  }
  if (auth.oidc) return checkIdToken(req, auth.oidc, verifyIdToken);
}

/** Requires `Authorization: Bearer <Google ID token>` for `audience`, from one of `emails`. */
export async function checkIdToken(
  req: IncomingRequest,
  oidc: { audience: string; emails: string[] },
  verifyIdToken: IdTokenVerifier,
): Promise<void> {
  const value = header(req, 'authorization') ?? '';
  const m = value.match(/^Bearer\s+(\S+)\s*$/i);
  if (!m?.[1]) throw new FulfillmentError('unauthenticated', 'A Bearer ID token is required.');
  let claims: { email?: string; email_verified?: boolean };
  try {
    claims = await verifyIdToken(m[1], oidc.audience);
  } catch {
    throw new FulfillmentError('unauthenticated', 'The ID token is not valid for this audience.');
  }
  if (oidc.emails.length > 0) {
    if (!claims.email || claims.email_verified === false || !oidc.emails.includes(claims.email)) {
      throw new FulfillmentError(
        'permission-denied',
        'The ID token is not from an allowed identity.',
      );
    }
  }
}

/**
 * Google's verifier (google-auth-library), loaded on first use so cold starts without OIDC do
 * not pay for it. Google's signing keys are fetched and cached by the library. `certsUrl`
 * replaces Google's PEM certificates endpoint (tests serve their own keys on loopback).
 */
export function googleIdTokenVerifier(options: { certsUrl?: string } = {}): IdTokenVerifier {
  const endpoints = options.certsUrl
    ? { endpoints: { oauth2FederatedSignonPemCertsUrl: options.certsUrl } }
    : undefined;
  const client = lazyAsync(() =>
    import('google-auth-library').then((m) => new m.OAuth2Client(endpoints)),
  );
  return async (token, audience) => {
    const ticket = await (await client()).verifyIdToken({ idToken: token, audience });
    const payload = ticket.getPayload();
    // Stryker disable next-line ConditionalExpression,StringLiteral: the library returns a payload with every verified ticket
    if (!payload) throw new Error('ID token without payload');
    return { email: payload.email, email_verified: payload.email_verified };
  };
}
