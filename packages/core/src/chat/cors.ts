import type { IncomingRequest, OutgoingResponse } from '../http';

/*
 * CORS with an allow-list of exact origins (scheme://host[:port]). An allowed origin gets its
 * grant (and its preflight answered); any other origin that names itself gets 403 and no
 * `Access-Control-Allow-*` header at all. Requests without an Origin (curl, mobile apps,
 * server-to-server) are not browsers acting for another site, and are answered.
 */

/** `https://Example.com:443/` → `https://example.com`; not an http(s) origin → undefined. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export type OriginDecision = 'no-origin' | 'allowed' | 'refused';

export function checkOrigin(req: IncomingRequest, allowed: ReadonlySet<string>): OriginDecision {
  const raw = req.headers.origin;
  if (raw === undefined || raw === '') return 'no-origin';
  const origin = normalizeOrigin(Array.isArray(raw) ? (raw[0] ?? '') : raw);
  return origin !== undefined && allowed.has(origin) ? 'allowed' : 'refused';
}

/** The headers that grant an allowed origin the response (and let it read Retry-After). */
export function grantCors(req: IncomingRequest, res: OutgoingResponse): void {
  res.set('Access-Control-Allow-Origin', String(req.headers.origin));
  res.set('Access-Control-Expose-Headers', 'Retry-After');
}

/** The answer to an allowed origin's preflight: 204 with the method, headers and a cache time. */
export function answerPreflight(req: IncomingRequest, res: OutgoingResponse): void {
  grantCors(req, res);
  res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.set('Access-Control-Allow-Headers', 'Content-Type');
  res.set('Access-Control-Max-Age', '600');
  res.status(204).end();
}
