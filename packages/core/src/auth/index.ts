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

/**
 * Presented values are compared in a buffer of this many bytes: the comparison's time then
 * depends on the presented value's length and this size, never on the secret's length or
 * content. A longer secret is compared by SHA-256 digests instead ({@link safeEqual}).
 */
const COMPARE_BYTES = 256;

/** A configured secret's bytes, zero-padded, and the buffer a presented value is copied into. */
interface PaddedSecret {
  padded: Buffer;
  byteLength: number;
  scratch: Buffer;
}

/** The configured secrets, padded once (a handful per process); `undefined`: longer than the buffer. */
const paddedSecrets = new Map<string, PaddedSecret | undefined>();

function padSecret(expected: string): PaddedSecret | undefined {
  const byteLength = Buffer.byteLength(expected);
  if (byteLength > COMPARE_BYTES) return undefined;
  const padded = Buffer.alloc(COMPARE_BYTES);
  padded.write(expected);
  return { padded, byteLength, scratch: Buffer.alloc(COMPARE_BYTES) };
}

/**
 * {@link safeEqual} against a configured secret, without hashing on every request: the presented
 * value is copied into a zero-filled buffer of {@link COMPARE_BYTES} (cut off at its end) and
 * compared with `timingSafeEqual`; equal bytes and an equal byte length mean an equal string.
 */
function matchesSecret(value: string, expected: string): boolean {
  let secret = paddedSecrets.get(expected);
  // Stryker disable next-line ConditionalExpression: padding the secret again gives the same bytes
  if (!paddedSecrets.has(expected)) {
    secret = padSecret(expected);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: bounds the cache only
    if (paddedSecrets.size < 16) paddedSecrets.set(expected, secret);
  }
  if (!secret) return safeEqual(value, expected);
  const { padded, byteLength, scratch } = secret;
  // The scratch buffer is all zeros between checks: the copy is zero-padded.
  scratch.write(value);
  const sameBytes = timingSafeEqual(scratch, padded);
  // Zeroed again, which also leaves no presented value in memory past the check.
  scratch.fill(0);
  return sameBytes && Buffer.byteLength(value) === byteLength;
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
