import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { errorMessage, FulfillmentError } from '../errors';
import type { Logger } from '../logger';

/** The parts of an Express / functions-framework request the functions read. */
export interface IncomingRequest extends IncomingMessage {
  method: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  rawBody?: Buffer;
}

/** The parts of an Express response the functions write. */
export interface OutgoingResponse {
  headersSent: boolean;
  status(code: number): OutgoingResponse;
  set(field: string, value: string): OutgoingResponse;
  json(body: unknown): unknown;
  end(): unknown;
}

/** Dialogflow bodies are far smaller; anything larger is refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Accepts only POST; anything else is 405 with `Allow: POST`. */
export function requirePost(req: IncomingRequest): void {
  if (req.method !== 'POST') {
    throw new FulfillmentError(
      'method-not-allowed',
      `Method ${req.method} is not allowed; use POST.`,
      { Allow: 'POST' },
    );
  }
}

/** Accepts only `application/json` (any charset parameter). */
export function requireJson(req: IncomingRequest): void {
  if (req.headers['content-type'] === 'application/json') return; // the common case, no parsing
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json') {
    throw new FulfillmentError(
      'unsupported-media-type',
      `Content-Type must be application/json, not ${type ? JSON.stringify(type) : 'missing'}.`,
    );
  }
}

/**
 * The JSON body, however the host parsed it: functions-framework (`rawBody` + parsed `body`), an
 * Express app with `express.json()`, `express.raw()`/`text()`, or no body parser at all (the
 * stream is read here). Over `maxBytes` → 413; not JSON → 400.
 */
export async function readJsonBody(
  req: IncomingRequest,
  maxBytes: number = MAX_BODY_BYTES,
): Promise<unknown> {
  const body = jsonBodyIfRead(req, maxBytes);
  return body === BODY_UNREAD ? parseJson(await readStream(req, maxBytes)) : body;
}

/** What {@link jsonBodyIfRead} returns when the body is still in the request stream. */
export const BODY_UNREAD: unique symbol = Symbol('body unread');

/**
 * {@link readJsonBody} without a promise when the host has already read the body (as
 * functions-framework and Express body parsers do): the body, or `BODY_UNREAD` when it must
 * still be read from the stream. Throws the same 413/400 errors.
 */
export function jsonBodyIfRead(req: IncomingRequest, maxBytes: number = MAX_BODY_BYTES): unknown {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (Buffer.isBuffer(req.rawBody)) {
    if (req.rawBody.length > maxBytes) throw tooLarge(maxBytes);
    if (req.body !== undefined && !Buffer.isBuffer(req.body) && typeof req.body !== 'string') {
      return req.body;
    }
    return parseJson(req.rawBody.toString('utf8'));
  }
  if (Buffer.isBuffer(req.body) || typeof req.body === 'string') {
    const text = req.body.toString();
    if (Buffer.byteLength(text) > maxBytes) throw tooLarge(maxBytes);
    return parseJson(text);
  }
  if (req.body !== undefined) return req.body;
  if (req.readableEnded) return undefined;
  return BODY_UNREAD;
}

function tooLarge(maxBytes: number): FulfillmentError {
  return new FulfillmentError('payload-too-large', `The body is larger than ${maxBytes} bytes.`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FulfillmentError('invalid-argument', 'The body is not valid JSON.');
  }
}

function readStream(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Sends JSON that is already serialised. On a real HTTP response (Express, functions-framework)
 * the text is written as it is: no second serialisation and no ETag hash, which a webhook
 * answer to a POST never uses. Other responses (the in-process test kit) get `json()`.
 */
export function sendJsonText(res: OutgoingResponse, status: number, text: string): void {
  if (res instanceof ServerResponse) {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
    return;
  }
  res.status(status).json(JSON.parse(text));
}

/** Sends `{error:{code,message}}` with the error's status and headers, unless an answer is out. */
export function sendError(res: OutgoingResponse, err: FulfillmentError): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(err.headers)) res.set(name, value);
  res.status(err.status).json(err.toJSON());
}

/**
 * The one rejection path of both functions: any error while reading a request becomes its
 * 4xx/5xx `{error}` answer and one warning (code and reason, never the body); an unexpected
 * error is logged as such and answered as a plain internal error.
 */
export function rejectRequest(
  res: OutgoingResponse,
  log: Pick<Logger, 'warn' | 'error'>,
  err: unknown,
  what = 'request rejected',
): void {
  const error =
    err instanceof FulfillmentError
      ? err
      : new FulfillmentError('internal', 'The request could not be read.');
  if (!(err instanceof FulfillmentError)) {
    log.error('unexpected error reading the request', { error: errorMessage(err) });
  }
  log.warn(what, { status: error.status, code: error.code, reason: error.message });
  sendError(res, error);
}

/** First value of a header. */
export function header(req: IncomingRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
