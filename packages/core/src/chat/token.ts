import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/*
 * Chat session tokens: `<payload>.<mac>`, both base64url. The payload names the Dialogflow
 * session id (a random UUID the server chose) and an expiry; the MAC is HMAC-SHA256 over the
 * payload with CHAT_SESSION_SECRET. A client can keep and return its token, never choose or
 * alter the session in it. Each answer carries a fresh token (same session, new expiry), so a
 * conversation in use does not expire.
 */

/** How long a token stays valid after the answer that issued it (Dialogflow keeps a session 20–30 min). */
export const SESSION_TOKEN_TTL_SECONDS = 60 * 60;

/** The longest token accepted: a larger string is not one of ours. */
const TOKEN_MAX_LENGTH = 256;

export interface ChatSession {
  /** The Dialogflow session id (last segment of the session path). */
  id: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/** Why a token was refused (for the log; the client only learns "401"). */
export type TokenProblem = 'malformed' | 'bad-signature' | 'expired';

const mac = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(payload).digest('base64url');

/** A token for `sessionId` (a new random one when omitted), valid `ttlSeconds` from `nowMs`. */
export function signSessionToken(
  secret: string,
  options: { sessionId?: string; nowMs?: number; ttlSeconds?: number } = {},
): { token: string; session: ChatSession } {
  const session: ChatSession = {
    id: options.sessionId ?? randomUUID(),
    expiresAt:
      Math.floor((options.nowMs ?? Date.now()) / 1000) +
      (options.ttlSeconds ?? SESSION_TOKEN_TTL_SECONDS),
  };
  const payload = Buffer.from(JSON.stringify({ s: session.id, e: session.expiresAt })).toString(
    'base64url',
  );
  return { token: `${payload}.${mac(secret, payload)}`, session };
}

/** The session a token names, or why it is refused. The MAC is compared in constant time. */
export function verifySessionToken(
  secret: string,
  token: string,
  nowMs: number = Date.now(),
): ChatSession | TokenProblem {
  if (token.length > TOKEN_MAX_LENGTH) return 'malformed';
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return 'malformed';
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const want = Buffer.from(mac(secret, payload), 'base64url');
  if (given.length !== want.length || !timingSafeEqual(given, want)) return 'bad-signature';
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return 'malformed';
  }
  const { s, e } = (decoded ?? {}) as { s?: unknown; e?: unknown };
  if (typeof s !== 'string' || !/^[A-Za-z0-9-]{1,36}$/.test(s) || typeof e !== 'number') {
    return 'malformed';
  }
  if (e * 1000 <= nowMs) return 'expired';
  return { id: s, expiresAt: e };
}
