import { createHash } from 'node:crypto';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** Fields a log entry may carry: ids, tags, numbers. Never bodies, parameters or tokens. */
export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose entries all carry these fields (trace, intent, …). */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const TRACE_KEY = 'logging.googleapis.com/trace';

/**
 * Structured logger: one JSON line per entry, in the shape Cloud Logging reads from stdout
 * (`severity`, `message`, trace). `sink` defaults to stdout; tests pass their own.
 */
export function createLogger(
  options: { sink?: LogSink; fields?: LogFields; minSeverity?: Severity } = {},
): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = options.fields ?? {};
  const min = RANK[options.minSeverity ?? 'DEBUG'];
  const write = (severity: Severity, message: string, fields?: LogFields) => {
    if (RANK[severity] < min) return;
    const entry: Record<string, unknown> = { severity, message };
    for (const [k, v] of Object.entries({ ...base, ...fields })) {
      if (v !== undefined) entry[k] = v;
    }
    entry.time = new Date().toISOString();
    sink(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => write('DEBUG', m, f),
    info: (m, f) => write('INFO', m, f),
    warn: (m, f) => write('WARNING', m, f),
    error: (m, f) => write('ERROR', m, f),
    child: (fields) => createLogger({ ...options, sink, fields: { ...base, ...fields } }),
  };
}

const RANK: Record<Severity, number> = {
  DEBUG: 0,
  INFO: 1,
  NOTICE: 2,
  WARNING: 3,
  ERROR: 4,
  CRITICAL: 5,
};

/**
 * The Cloud Logging trace field from `X-Cloud-Trace-Context` (`TRACE/SPAN;o=1`) or W3C
 * `traceparent` (`00-TRACE-SPAN-01`), or an empty object when neither is usable.
 */
export function traceFields(
  projectId: string,
  headers: Record<string, string | string[] | undefined>,
): LogFields {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  let traceId: string | undefined;
  const cloud = first(headers['x-cloud-trace-context']);
  const m1 = cloud?.match(/^([0-9a-fA-F]{32})(?:\/|$)/);
  if (m1) traceId = m1[1];
  if (!traceId) {
    const tp = first(headers['traceparent']);
    const m2 = tp?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/);
    if (m2) traceId = m2[1];
  }
  if (!traceId || /^0+$/.test(traceId)) return {};
  return { [TRACE_KEY]: `projects/${projectId}/traces/${traceId.toLowerCase()}` };
}

/** A short, stable, non-reversible id for a session: lets logs be correlated without the id. */
export function hashId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
