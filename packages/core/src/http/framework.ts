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
  const fn = outsideDomain(handler);
  ours.add(fn);
  serveOursWithoutDomain();
  registerWithFramework(name, fn);
}

/** The functions registered through {@link http}: the framework serves them without a domain. */
const ours = new WeakSet<HttpFunction>();
let wrapperInstalled = false;

/** What functions-framework 5's `function_wrappers.js` and `logger.js` export that we use. */
interface FrameworkWrappers {
  wrapUserFunction(fn: unknown, signatureType: string): (req: never, res: never) => void;
}
interface FrameworkLogger {
  sendCrashResponse(options: { err: unknown; res: OutgoingResponse }): void;
}

/**
 * {@link outsideDomain} leaves the framework's per-call domain, but the framework has created it
 * by then, and creating a domain costs every call, and the whole process, more than being in
 * one: each call builds a `Domain` (an emitter with three listeners, a weak reference, the
 * uncaught-exception capture updated on each), and the first one switches on node:domain's
 * async hook, with a destroy hook, for the life of the process: from then on every promise and
 * every other asynchronous resource is tracked for its destruction (`registerDestroyHook`),
 * whether or not a domain is active. Measured in the load test's worker (Node 20 CPU profile):
 * about a tenth of its CPU.
 *
 * So the framework's wrapper is replaced, for our functions only, by one that does what it does
 * minus the domain: it calls the function (in the same tick, not the next), and a throw or a
 * rejected promise gets the framework's own crash response (`sendCrashResponse`: a 500, the
 * error logged), once, as the framework's wrapper does (`res.locals.functionExecutionFinished`).
 * A throw from a callback the call started was already outside any domain ({@link
 * outsideDomain}): the framework's process handler takes it, as before. Any other function, and
 * any other signature type, keeps the framework's wrapper.
 *
 * The framework looks its wrapper up through its module's exports each time it builds a server
 * (`server.js`: `(0, function_wrappers_1.wrapUserFunction)(…)`), so replacing that export before
 * the server is built is enough. Only with functions-framework 5 (its package.json read beside
 * its files): with another major version, or files laid out otherwise, nothing is replaced and
 * its wrapper, with its domain, serves our functions as before ({@link outsideDomain} still
 * leaves it).
 */
function serveOursWithoutDomain(): void {
  if (wrapperInstalled) return;
  wrapperInstalled = true;
  try {
    // The wrapper it stands in for is version 5's: another major version keeps its own.
    const { version } = requireFromFramework('../../package.json') as { version?: string };
    if (!version?.startsWith('5.')) return;
    const wrappers = requireFromFramework('./function_wrappers.js') as FrameworkWrappers;
    const frameworkLogger = requireFromFramework('./logger.js') as FrameworkLogger;
    const wrap = wrappers.wrapUserFunction;
    const crash = frameworkLogger.sendCrashResponse;
    if (typeof wrap !== 'function' || typeof crash !== 'function') return;
    // (Inside the try: an export that cannot be replaced leaves the framework's wrapper.)
    wrappers.wrapUserFunction = (fn, signatureType) =>
      signatureType === 'http' && ours.has(fn as HttpFunction)
        ? callWithoutDomain(fn as HttpFunction, crash)
        : wrap(fn, signatureType);
  } catch {
    // Files laid out otherwise: the framework's wrapper, with its domain, as before.
  }
}

/** The framework's HTTP wrapper without its domain (see {@link serveOursWithoutDomain}). */
function callWithoutDomain(fn: HttpFunction, crash: FrameworkLogger['sendCrashResponse']) {
  return (req: Parameters<HttpFunction>[0], res: Parameters<HttpFunction>[1]): void => {
    const fail = (err: unknown) => {
      if (res.locals.functionExecutionFinished) {
        console.error(`Exception from a finished function: ${String(err)}`);
        return;
      }
      res.locals.functionExecutionFinished = true;
      crash({ err, res });
    };
    // `fn` is an {@link outsideDomain} function: a synchronous throw comes back as a rejection.
    const result: unknown = fn(req, res);
    if (result instanceof Promise) result.catch(fail);
  };
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

/**
 * `require` from functions-framework's own entry (build/src/index.js): its copy of Express, its
 * files beside it (relative paths are not subject to the package's `exports`), its package.json.
 */
function requireFromFramework(id: string): unknown {
  return createRequire(require.resolve('@google-cloud/functions-framework'))(id);
}

/** Installs the final handler (once per process); see the comment at the top. */
export function answerFrameworkErrorsAsJson(logger: Logger = createLogger()): void {
  if (installed) return;
  installed = true;
  const application = (requireFromFramework('express') as { application: ExpressApplication })
    .application;
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
