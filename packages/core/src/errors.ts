/** The error codes a request can end with, and the HTTP status each maps to. */
export const ERROR_STATUS = {
  'invalid-argument': 400,
  unauthenticated: 401,
  'permission-denied': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'unsupported-media-type': 415,
  'payload-too-large': 413,
  'failed-precondition': 412,
  'resource-exhausted': 429,
  internal: 500,
  'not-implemented': 501,
  unavailable: 503,
  'deadline-exceeded': 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type that becomes an HTTP answer `{error:{code,message}}`. Its message is
 * meant for the caller: say what was wrong, never echo secrets or stack traces.
 */
export class FulfillmentError extends Error {
  override readonly name = 'FulfillmentError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Headers the answer carries (`Allow`, `WWW-Authenticate`, …). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Message of any thrown value, for logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
