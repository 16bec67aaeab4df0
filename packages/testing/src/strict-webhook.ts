import type { ServerResponse } from 'node:http';
import { protoErrors } from './proto-check';

type Handler = (req: never, res: never) => void | Promise<void>;

/** Dialogflow rejects ES responses over 64 KiB. */
const ES_MAX_RESPONSE_BYTES = 64 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The edition a webhook request body belongs to, judged independently of the code under test:
 * ES has an object `queryResult`, CX an object `fulfillmentInfo` or `sessionInfo`. Anything else
 * (a worker's task body, garbage) is not a Dialogflow request: undefined.
 */
export function editionOfRequest(body: unknown): 'es' | 'cx' | undefined {
  if (!isObject(body)) return undefined;
  if (isObject(body.queryResult)) return 'es';
  if (isObject(body.fulfillmentInfo) || isObject(body.sessionInfo)) return 'cx';
  return undefined;
}

/**
 * Why Dialogflow would reject this 200 answer to `request` (empty when it would take it):
 * proto3-JSON errors against Google's WebhookResponse, the ES size limit, a body that is not
 * JSON.
 */
export function replyProblems(request: unknown, responseText: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(responseText);
  } catch {
    return [`200 answer is not JSON: ${responseText.slice(0, 200)}`];
  }
  const edition = editionOfRequest(request) ?? 'cx';
  const problems = protoErrors(edition, json);
  if (edition === 'es' && Buffer.byteLength(responseText) > ES_MAX_RESPONSE_BYTES) {
    problems.push(`ES response of ${Buffer.byteLength(responseText)} bytes is over 64 KiB`);
  }
  return problems.map((p) => `${edition.toUpperCase()} WebhookResponse: ${p}`);
}

export interface StrictViolation {
  request: unknown;
  response: string;
  problems: string[];
}

/**
 * Wraps a webhook served over HTTP so that every 200 answer is checked strictly before it leaves:
 * an answer Dialogflow would reject is recorded in `violations` and replaced by a 500 whose body
 * lists the problems, so the test that made the call fails on its status or body, whatever
 * helper it reads the reply with (and `assertNoViolations` fails the file if none looked).
 */
export function strictWebhook<H extends Handler>(handler: H, violations: StrictViolation[]): H {
  const wrapped = (
    req: { body?: unknown; rawBody?: Buffer },
    res: ServerResponse,
  ): void | Promise<void> => {
    const chunks: Buffer[] = [];
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const toBuffer = (chunk: unknown, encoding?: unknown) =>
      Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(
            String(chunk),
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    // Hold the body back until the end, so a rejected answer can still be replaced.
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk !== undefined && typeof chunk !== 'function') chunks.push(toBuffer(chunk, rest[0]));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        chunks.push(toBuffer(chunk, rest[0]));
      }
      const callback = [chunk, ...rest].find((r) => typeof r === 'function');
      const text = Buffer.concat(chunks).toString('utf8');
      if (res.statusCode === 200) {
        const request = isObject(req.body) ? req.body : parseRaw(req.rawBody);
        const problems = replyProblems(request, text);
        if (problems.length > 0) {
          violations.push({ request, response: text, problems });
          const error = JSON.stringify({
            error: { code: 'invalid-webhook-response', message: problems.join('\n') },
          });
          res.statusCode = 500;
          if (!res.headersSent) res.setHeader('Content-Length', Buffer.byteLength(error));
          return end(error, callback);
        }
      }
      if (chunks.length === 0) return end(callback);
      return end(Buffer.concat(chunks), callback);
    }) as typeof res.end;
    return (handler as unknown as (q: unknown, s: unknown) => void | Promise<void>)(req, res);
  };
  return wrapped as unknown as H;
}

/** Throws with every recorded violation (for a server's `close()`). */
export function assertNoViolations(violations: StrictViolation[]): void {
  if (violations.length === 0) return;
  throw new Error(
    `${violations.length} webhook answer(s) Dialogflow would reject:\n` +
      violations
        .map((v) => `  ${v.problems.join('\n  ')}\n  answer: ${v.response.slice(0, 500)}`)
        .join('\n'),
  );
}

function parseRaw(raw: Buffer | undefined): unknown {
  try {
    return raw ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}
