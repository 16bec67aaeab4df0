import { createRequire } from 'node:module';
import {
  http as registerWithFramework,
  type HttpFunction,
} from '@google-cloud/functions-framework';
import { ERROR_STATUS, errorMessage, FulfillmentError, type ErrorCode } from '../errors';
import { createLogger, type Logger } from '../logger';
import {
  MAX_BODY_BYTES,
  rejectRequest,
  type IncomingRequest,
  type OutgoingResponse,
} from './incoming';

/*
 * functions-framework 5 parses the body in its own Express app before any function runs, and
 * gives a function no way in when that fails: the error goes to Express's default final
 * handler, which logs it with `console.error(err)` (body-parser puts the whole body on the
 * error: util.inspect prints up to 10,000 characters of it) in every NODE_ENV but `test`, and
 * answers HTML (with the stack outside production). The framework has no option or hook for
 * this (GoogleCloudPlatform/functions-framework-nodejs#686, open).
 *
 * What remains: the framework creates its Express app after it has loaded the function's
 * module, and Express copies `express.application` onto each app it creates. So registering
 * through `http` below first wraps `express.application.handle` (of the framework's own copy of
 * Express) to pass a final handler of ours: JSON `{error:{code,message}}` like every other bad
 * input, and one log line with the reason and status, never the body. This holds wherever the
 * framework loads package.json `main` (Cloud Functions, `functions-framework --target=…`,
 * `npm start`); an Express app created in the same process after this runs gets the same final
 * handler.
 */

interface ExpressApplication {
  handle(req: IncomingRequest, res: OutgoingResponse, callback?: (err?: unknown) => void): void;
}

let installed = false;

/**
 * Registers an HTTP function with functions-framework, as its `http` does, after making sure
 * that errors before the function (unreadable bodies) get JSON answers and body-free logs. The
 * function runs outside the framework's per-call domain ({@link outsideDomain}).
 */
export function http(name: string, handler: HttpFunction): void {
  answerFrameworkErrorsAsJson();
  registerWithFramework(name, outsideDomain(handler));
}

/**
 * functions-framework 5 runs each call of an HTTP function inside a `node:domain` of its own, to
 * answer 500 when a callback of that call throws. Node then tags every asynchronous resource the
 * call creates (each gRPC call's streams and timers, each socket, each timer) with the domain,
 * and enters and leaves the domain around each of their callbacks: measured with `npm run bench`
 * (Node 22), that bookkeeping was a third of a warm check_order's CPU (1,005 → 656 µs a request,
 * 1.5× the requests/s without it) and about a quarter of the worker's in the load test.
 *
 * So the function leaves the domain as it starts. A throw from the function itself is still
 * that call's 500: it becomes a rejected promise, which the framework answers as before. What
 * changes is a throw from a callback that is not a promise's during a call, or an `'error'`
 * event nobody listens to (a bug): the framework's process handler logs it, answers 500 to the
 * latest request (not necessarily the one at fault) and restarts the instance (exit 16), which
 * fails the requests in flight on it, as it already did for an unhandled promise rejection;
 * before, the domain answered that one call 500 and the process carried on in a state the
 * exception may have broken (Node's own advice: do not resume after an uncaught exception).
 */
export function outsideDomain(handler: HttpFunction): HttpFunction {
  return (req, res) => {
    (process as { domain?: { exit(): void } | null }).domain?.exit();
    try {
      return handler(req, res);
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

/** Installs the final handler (once per process); see the comment at the top. */
export function answerFrameworkErrorsAsJson(logger: Logger = createLogger()): void {
  if (installed) return;
  installed = true;
  const fromFramework = createRequire(require.resolve('@google-cloud/functions-framework'));
  const application = (fromFramework('express') as { application: ExpressApplication }).application;
  const handle = application.handle;
  application.handle = function (this: ExpressApplication, req, res, callback) {
    handle.call(
      this,
      req,
      res,
      callback ?? ((err?: unknown) => answerUnhandled(err, req, res, logger)),
    );
  };
}

/** body-parser's errors (http-errors): a status and a `type` naming what failed. */
interface BodyError {
  status?: number;
  statusCode?: number;
  type?: string;
  body?: unknown;
}

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);

/** What an error that reached the end of the framework's app answers. */
export function errorBeforeFunction(err: unknown): FulfillmentError {
  if (err === undefined) return new FulfillmentError('not-found', 'No function here.');
  const e = (typeof err === 'object' && err !== null ? err : {}) as BodyError;
  const status = e.status ?? e.statusCode;
  switch (e.type) {
    case 'entity.parse.failed': {
      const text = typeof e.body === 'string' ? e.body : '';
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
        return new FulfillmentError(
          'payload-too-large',
          `The body is larger than ${MAX_BODY_BYTES} bytes.`,
        );
      }
      return new FulfillmentError(
        'invalid-argument',
        isJson(text) ? 'The body must be a JSON object.' : 'The body is not valid JSON.',
      );
    }
    case 'entity.too.large':
      return new FulfillmentError(
        'payload-too-large',
        `The body is larger than ${MAX_BODY_BYTES} bytes.`,
      );
    case 'charset.unsupported':
      return new FulfillmentError(
        'unsupported-media-type',
        "The body's charset is not supported; send UTF-8.",
      );
    case 'encoding.unsupported':
      return new FulfillmentError(
        'unsupported-media-type',
        "The body's Content-Encoding is not supported.",
      );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new FulfillmentError(
      CODE_BY_STATUS.get(status) ?? 'invalid-argument',
      'The request body could not be read.',
    );
  }
  return new FulfillmentError('internal', 'Internal error.');
}

function answerUnhandled(
  err: unknown,
  req: IncomingRequest,
  res: OutgoingResponse,
  logger: Logger,
): void {
  const error = errorBeforeFunction(err);
  // body-parser's errors carry the body, and their messages (JSON.parse's) quote it: only
  // what went wrong is logged (rejectRequest: status, code and our own message).
  if (error.code === 'internal') {
    logger.error('request failed before the function', { error: errorMessage(err) });
  }
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  // Whatever of the body is still unread is read and dropped, so the answer can go out.
  req.unpipe();
  req.resume();
  rejectRequest(res, logger, error, 'request rejected before the function');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
